/* The officer's survey app: IndexedDB. Stores:
   - "meta": the PIN's salt, the device token sealed with the PIN's key, and a revoked message if the server sent one;
   - "surveys": the assigned surveys' current definitions (no personal data), by survey id;
   - "pending": answers waiting to be sent, each {client_id, survey, iv, ciphertext[, refused]}: nothing readable. */
(function () {
  "use strict";
  var NAME = "openbeat-officer";
  var opened = null;

  function db() {
    if (opened) return opened;
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        var database = request.result;
        database.createObjectStore("meta");
        database.createObjectStore("surveys", { keyPath: "id" });
        database.createObjectStore("pending", { keyPath: "client_id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return opened;
  }

  function run(storeName, mode, action) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var transaction = database.transaction(storeName, mode);
        var store = transaction.objectStore(storeName);
        var result;
        var request = action(store);
        if (request) request.onsuccess = function () { result = request.result; };
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  window.obStore = {
    get: function (storeName, key) { return run(storeName, "readonly", function (s) { return s.get(key); }); },
    all: function (storeName) { return run(storeName, "readonly", function (s) { return s.getAll(); }); },
    put: function (storeName, value, key) {
      return run(storeName, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
    },
    remove: function (storeName, key) { return run(storeName, "readwrite", function (s) { return s.delete(key); }); },
    replaceAll: function (storeName, values) {
      return run(storeName, "readwrite", function (s) {
        s.clear();
        values.forEach(function (value) { s.put(value); });
        return null;
      });
    },
    count: function (storeName) { return run(storeName, "readonly", function (s) { return s.count(); }); }
  };
})();
