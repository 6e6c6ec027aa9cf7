/* The officer's survey app: encryption at rest with WebCrypto.
   A key is derived from the officer's PIN with PBKDF2 (SHA-256, 310,000 iterations, a random 16-byte salt kept on
   the phone) and used for AES-GCM with a fresh 12-byte IV per record. The key is never stored: it lives in memory
   while the app is unlocked, so a lost phone's stored answers (and its device token) cannot be read. */
(function () {
  "use strict";
  var ITERATIONS = 310000;
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function randomBytes(length) {
    return crypto.getRandomValues(new Uint8Array(length));
  }

  function deriveKey(pin, salt) {
    return crypto.subtle.importKey("raw", encoder.encode(pin), "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey(
        { name: "PBKDF2", salt: salt, iterations: ITERATIONS, hash: "SHA-256" },
        base,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"]
      );
    });
  }

  /* {iv, ciphertext} (both bytes) of a JSON-able value. */
  function seal(key, value) {
    var iv = randomBytes(12);
    return crypto.subtle
      .encrypt({ name: "AES-GCM", iv: iv }, key, encoder.encode(JSON.stringify(value)))
      .then(function (buffer) {
        return { iv: iv, ciphertext: new Uint8Array(buffer) };
      });
  }

  /* The value sealed; rejects if the key is wrong or the record was altered (GCM's tag). */
  function open(key, sealed) {
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, key, sealed.ciphertext).then(function (buffer) {
      return JSON.parse(decoder.decode(buffer));
    });
  }

  window.obCrypto = { deriveKey: deriveKey, seal: seal, open: open, randomBytes: randomBytes };
})();
