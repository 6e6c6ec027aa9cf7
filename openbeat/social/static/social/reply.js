// A live count of the reply as its network counts it (the server checks it again on sending, and its count is
// shown whenever the page is drawn): Bluesky and Mastodon count graphemes, Mastodon and X a link as 23, X an
// emoji or a wide character as 2, Mastodon @name@server as @name; Facebook counts characters.
(function () {
  const text = document.querySelector("[data-reply-text]");
  const count = document.querySelector("[data-reply-count]");
  if (!text || !count) return;
  const network = count.dataset.network;
  const limit = parseInt(count.dataset.limit, 10);
  // Mastodon's reply starts with the resident's handle unless the text names them (replies.reply_as_sent).
  // "Names them": the handle itself, not the start of a longer one (connectors.base.with_mention's pattern).
  const mention = count.dataset.mention || "";
  const named = mention
    ? new RegExp("(^|[^\\w@])" + mention.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "(?![\\w@.-]*\\w)", "i")
    : null;
  function asSent(value) {
    if (!named || named.test(value)) return value;
    return value ? mention + " " + value : mention;
  }
  const URL = /https?:\/\/\S+/gi;
  const segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  function graphemes(value) {
    return segmenter ? Array.from(segmenter.segment(value), (part) => part.segment) : Array.from(value);
  }
  function light(point) {
    return (
      point <= 0x10ff ||
      (point >= 0x2000 && point <= 0x200d) ||
      (point >= 0x2010 && point <= 0x201f) ||
      (point >= 0x2032 && point <= 0x2037)
    );
  }
  function emoji(cluster) {
    if (cluster.includes("\u200d") || cluster.includes("\ufe0f")) return true;
    const first = cluster.codePointAt(0);
    return (first >= 0x1f000 && first <= 0x1faff) || (first >= 0x2600 && first <= 0x27bf);
  }
  function length(value) {
    if (network === "bluesky") return graphemes(value).length;
    if (network === "mastodon") {
      const links = (value.match(URL) || []).length;
      const rest = value.replace(/(^|[^\w@])@(\w+)@[\w.-]+\w/g, "$1@$2").replace(URL, "");
      return graphemes(rest).length + links * 23;
    }
    if (network === "x") {
      const normal = value.normalize("NFC");
      let total = (normal.match(URL) || []).length * 23;
      for (const cluster of graphemes(normal.replace(URL, ""))) {
        total += emoji(cluster) ? 2 : Array.from(cluster).reduce((sum, ch) => sum + (light(ch.codePointAt(0)) ? 1 : 2), 0);
      }
      return total;
    }
    return Array.from(value).length;
  }
  let timer = null;
  text.addEventListener("input", function () {
    clearTimeout(timer);
    // Announced after a pause, not on every key, so a screen reader is not flooded.
    timer = setTimeout(function () {
      const n = length(asSent(text.value.trim()));
      count.textContent = n + " of " + limit + " characters" + (n > limit ? ": too long" : "");
    }, 400);
  });
})();
