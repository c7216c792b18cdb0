// An institution's e-documents of one day (/e-documents?institution&date), from GET /api/v1/e-documents/day: how
// many are issued, waiting and refused, and each with its number or the provider's reason. An accountant sees their
// own institution; an administrator names one.
"use strict";

(async () => {
  const { row } = Page;
  try {
    await I18n.load();
    await Page.session();
    const url = "/api/v1/e-documents/day" + Page.query("institution", "date");
    document.getElementById("json").textContent = url;
    const view = await Page.json(url);
    // Vietnamese with its English beside it, as on the other pages; the institution's name, the payment ids and the
    // provider's own words are data (data-data), shown as they came.
    const who = view.institutionName ? I18n.text("province.edoc.summaryName", view.institutionName, view.institutionId) : view.institutionId;
    // The institution's name stands in both halves, as data: the sentence is made with a mark where it goes.
    const mark = "\u0000";
    const parts = I18n.both("province.edoc.summary", mark, I18n.date(view.day), view.issued, view.waiting, view.refused, I18n.money(view.issuedAmount)).split(mark);
    document.getElementById("summary").replaceChildren(...parts.flatMap((part, i) => i === 0 ? [part] : [Page.el("span", { "data-data": true }, who), part]));
    // An adjustment names the document it adjusts; a waiting one says when it is tried again (the provider's words
    // after it); a refused one gives the provider's reason as the provider wrote it.
    const inBoth = (words) => { const vi = words("vi"), en = words("en"); return vi === en ? vi : `${vi} / ${en}`; };
    const purpose = (d) => d.purpose === "adjustment"
      ? inBoth((lang) => `${I18n.textIn(lang, "province.edoc.purpose.adjustment")} — ${d.adjustsNumber ? I18n.textIn(lang, "province.edoc.adjusts", d.adjustsNumber) : I18n.textIn(lang, "province.edoc.adjustsWaiting", d.adjusts)}`)
      : I18n.both("province.edoc.purpose.original");
    const providerSaid = (text) => Page.el("span", { "data-data": true }, text); // also the buyer's tax code and address, as typed
    const reason = (d) => d.state === "waiting" && d.nextAttemptAt
      ? Page.el("span", {}, I18n.both("province.edoc.waitingReason", I18n.dateTime(d.nextAttemptAt)), ...(d.reason ? [" (", providerSaid(d.reason), ")"] : []))
      : providerSaid(d.reason ?? "");
    const state = (d) => I18n.both(`province.edoc.state.${d.state}`);
    const table = document.getElementById("documents");
    table.tBodies[0].replaceChildren(...view.documents.map((d) => row([
      d.paymentId, purpose(d), [I18n.money(d.amount), "n", String(d.amount)],
      [state(d), d.state === "issued" ? "ok" : d.state === "refused" ? "bad" : ""],
      d.documentNumber ? `${d.templateCode} ${d.series} ${d.documentNumber}` : "-", providerSaid([d.buyerTaxCode, d.buyerAddress].filter(Boolean).join(" — ")), [d.attempts, "n"], reason(d),
    ])));
    Tables.enhance(table);
  } catch (error) {
    Page.failed(error);
  }
})();
