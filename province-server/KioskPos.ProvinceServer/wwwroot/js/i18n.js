// The message catalogue for the province server's pages (GET /api/v1/province/messages: {"key": {"vi", "en"}}),
// and how pages show money and time: 1.250.000 ₫, and Vietnam's time (UTC+7, no daylight saving) whatever the
// browser's zone. Every text goes in with textContent: nothing here parses markup.
"use strict";

const I18n = (() => {
  let catalogue = {};
  const language = document.documentElement.lang === "en" ? "en" : "vi";

  /** The text of key in the page's language (or in lang), {0}, {1}… replaced by args. */
  function text(key, ...args) {
    return textIn(language, key, ...args);
  }

  function textIn(lang, key, ...args) {
    const entry = catalogue[key];
    const template = entry ? (entry[lang] ?? entry.vi) : key;
    return template.replace(/\{(\d+)\}/g, (_, n) => String(args[Number(n)] ?? ""));
  }

  /**
   * "Vietnamese / English" of key (one of them when both read the same). An argument that is a function is asked for
   * its text in each half's language (lang) => text: a word within the sentence, never both languages inside each half.
   */
  function both(key, ...args) {
    const inLanguage = (lang) => args.map((arg) => typeof arg === "function" ? arg(lang) : arg);
    const vi = textIn("vi", key, ...inLanguage("vi")), en = textIn("en", key, ...inLanguage("en"));
    return vi === en ? vi : `${vi} / ${en}`;
  }

  /**
   * Fills every [data-msg] under root: data-lang="en" asks for the English text (as the small subtitles do),
   * data-msg-both for both languages — "Vietnamese / English", or in a table's heading cell the English on a line of
   * its own below (lang="en"), which keeps a table of many columns narrow.
   */
  function apply(root = document) {
    for (const el of root.querySelectorAll("[data-msg]")) {
      const key = el.dataset.msg;
      if (!el.hasAttribute("data-msg-both")) {
        el.textContent = textIn(el.dataset.lang || language, key);
        // Marked for what reads it aloud (a screen reader's English voice) and for the pages' language checks.
        if (el.dataset.lang) {
          el.lang = el.dataset.lang;
        }
      } else if (el.tagName === "TH" && textIn("vi", key) !== textIn("en", key)) {
        const en = document.createElement("span");
        en.className = "en";
        en.lang = "en";
        en.textContent = textIn("en", key);
        el.replaceChildren(textIn("vi", key), en);
      } else {
        el.textContent = both(key);
      }
    }
    for (const el of root.querySelectorAll("[data-msg-placeholder]")) {
      el.placeholder = el.hasAttribute("data-msg-both") ? both(el.dataset.msgPlaceholder) : text(el.dataset.msgPlaceholder);
    }
  }

  async function load() {
    const response = await fetch("/api/v1/province/messages", { headers: { Accept: "application/json" } });
    catalogue = await response.json();
    apply();
  }

  /** 1250000 → "1.250.000 ₫" (the sign before the digits, as Vnd.Format writes it). */
  function money(value) {
    const digits = String(Math.abs(Math.trunc(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (value < 0 ? "-" : "") + digits + " ₫";
  }

  /** A count as the page's language writes it: 1.250 in Vietnamese, 1,250 in English. */
  function number(value) {
    const digits = String(Math.abs(Math.trunc(value))).replace(/\B(?=(\d{3})+(?!\d))/g, language === "en" ? "," : ".");
    return (value < 0 ? "-" : "") + digits;
  }

  const vietnam = 7 * 60 * 60 * 1000;
  const two = (n) => String(n).padStart(2, "0");

  /** An instant (ISO 8601 with its offset) as dd/MM/yyyy HH:mm:ss in Vietnam. */
  function dateTime(iso) {
    const at = new Date(new Date(iso).getTime() + vietnam);
    return `${two(at.getUTCDate())}/${two(at.getUTCMonth() + 1)}/${at.getUTCFullYear()} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`;
  }

  /** A calendar day (yyyy-MM-dd), optionally moved by days, as dd/MM/yyyy. */
  function date(day, addDays = 0) {
    const at = new Date(`${day}T00:00:00Z`);
    at.setUTCDate(at.getUTCDate() + addDays);
    return `${two(at.getUTCDate())}/${two(at.getUTCMonth() + 1)}/${at.getUTCFullYear()}`;
  }

  /**
   * A share as the reports print it, at most one decimal: in Vietnamese a decimal comma and a space before the sign
   * (48,6 %), as the dots of 1.250.000 ₫ beside it need; in English 48.6%.
   */
  function percent(value) {
    const rounded = String(Math.round(value * 10) / 10);
    return language === "en" ? `${rounded}%` : `${rounded.replace(".", ",")} %`;
  }

  return { load, apply, text, textIn, both, money, number, dateTime, date, percent, language };
})();
