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
    const who = view.institutionName ? I18n.text("province.edoc.summaryName", view.institutionName, view.institutionId) : view.institutionId;
    document.getElementById("summary").textContent =
      I18n.text("province.edoc.summary", who, I18n.date(view.day), view.issued, view.waiting, view.refused, I18n.money(view.issuedAmount));
    // An adjustment names the document it adjusts; a waiting one says when it is tried again (the provider's words
    // after it); a refused one gives the provider's reason as the provider wrote it.
    const purpose = (d) => d.purpose === "adjustment"
      ? `${I18n.text("province.edoc.purpose.adjustment")} — ${d.adjustsNumber ? I18n.text("province.edoc.adjusts", d.adjustsNumber) : I18n.text("province.edoc.adjustsWaiting", d.adjusts)}`
      : I18n.text("province.edoc.purpose.original");
    const reason = (d) => d.state === "waiting" && d.nextAttemptAt
      ? `${I18n.text("province.edoc.waitingReason", I18n.dateTime(d.nextAttemptAt))}${d.reason ? ` (${d.reason})` : ""}`
      : d.reason ?? "";
    const state = (d) => I18n.text(`province.edoc.state.${d.state}`);
    const table = document.getElementById("documents");
    table.tBodies[0].replaceChildren(...view.documents.map((d) => row([
      d.paymentId, purpose(d), [I18n.money(d.amount), "n", String(d.amount)],
      [state(d), d.state === "issued" ? "ok" : d.state === "refused" ? "bad" : ""],
      d.documentNumber ? `${d.templateCode} ${d.series} ${d.documentNumber}` : "-", [d.buyerTaxCode, d.buyerAddress].filter(Boolean).join(" — "), [d.attempts, "n"], reason(d),
    ])));
    Tables.enhance(table);
  } catch (error) {
    Page.failed(error);
  }
})();
