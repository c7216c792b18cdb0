// The terminal's people-facing text: the message catalogue (GET /api/v1/messages, {"key": {"vi": …, "en": …}}),
// applied to the page's data-msg attributes, and money as people read it (1.250.000 ₫). Text always goes in with
// textContent or an attribute, never as markup.
//
//   data-msg="key"             the element's text, in the page's language (I18n.lang, Vietnamese unless set)
//   data-msg-lang="vi|en"      ... in that language whatever the page's
//   data-msg-both              ... as "Vietnamese / English" (the counter and technician pages)
//   data-msg-attr="placeholder" into that attribute instead of the text
(function (global) {
  'use strict';
  var catalogue = {};

  function format(text, args) {
    return String(text).replace(/\{(\d+)\}/g, function (whole, index) {
      var value = args[Number(index)];
      return value === undefined || value === null ? '' : String(value);
    });
  }

  function entry(key) { return catalogue[key] || { vi: key, en: key }; }

  var I18n = {
    /** The page's language: 'vi' or 'en'. */
    lang: 'vi',

    /** Loads the catalogue once; every page awaits this before it shows anything. */
    load: async function () {
      var response = await fetch('/api/v1/messages', { credentials: 'same-origin' });
      catalogue = response.ok ? await response.json() : {};
      return I18n;
    },

    /** The text of key in the page's language (or the one given), {0}, {1}… replaced by the arguments. */
    t: function (key) { return I18n.tIn(I18n.lang, key, Array.prototype.slice.call(arguments, 1)); },

    /** True when the catalogue holds key (a screen may have its own wording of a text, and fall back when not). */
    has: function (key) { return Object.prototype.hasOwnProperty.call(catalogue, key); },

    /** The text of key in language, formatted with the array args. */
    tIn: function (language, key, args) { return format(entry(key)[language === 'en' ? 'en' : 'vi'], args || []); },

    /** "Vietnamese / English" (one of them when both read the same). */
    both: function (key) {
      var args = Array.prototype.slice.call(arguments, 1), vi = I18n.tIn('vi', key, args), en = I18n.tIn('en', key, args);
      return vi === en ? vi : vi + ' / ' + en;
    },

    /** Fills every data-msg element under root (the document by default). */
    apply: function (root) {
      document.documentElement.lang = I18n.lang;
      (root || document).querySelectorAll('[data-msg]').forEach(function (element) {
        var key = element.dataset.msg;
        var text = element.hasAttribute('data-msg-both') ? I18n.both(key) : I18n.tIn(element.dataset.msgLang || I18n.lang, key);
        if (element.dataset.msgAttr) { element.setAttribute(element.dataset.msgAttr, text); } else { element.textContent = text; }
      });
    },

    /** The key whose text, in the page's language, is text (null when none): what a screen shows, for the speech. */
    keyOf: function (text) {
      for (var key in catalogue) { if (Object.prototype.hasOwnProperty.call(catalogue, key) && I18n.tIn(I18n.lang, key, []) === text) { return key; } }
      return null;
    },

    /** An amount in đồng as people read it: 1250000 -> "1.250.000 ₫". */
    money: function (amount) { return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.') + ' ₫'; }
  };

  global.I18n = I18n;
})(window);
