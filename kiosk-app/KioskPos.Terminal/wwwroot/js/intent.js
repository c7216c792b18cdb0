// One request key per payment intent, for the kiosk's and the counter's Pay: pressed again after its answer was lost
// (the connection between the page and the terminal dropped after the request left), it sends the same key, so the
// terminal answers with the payment it took then (a replay) and never takes a second. A changed intent (payer, card,
// method, bills and amounts; at the counter the bank-card terminal's approval) gets a new key; an answer, or leaving
// the payer, ends it.
(function (global) {
  'use strict';
  var intent = null;

  global.PaymentIntent = {
    /** The key of the intent `what` (the request without its key), prefixed: the same while `what` stays the same. */
    key: function (prefix, what) {
      var id = JSON.stringify(what);
      if (!intent || intent.id !== id) { intent = { id: id, key: prefix + Date.now() + '-' + Math.random().toString(36).slice(2) }; }
      return intent.key;
    },

    /** The intent is over: its answer came, or the payer was left. */
    end: function () { intent = null; }
  };
})(window);
