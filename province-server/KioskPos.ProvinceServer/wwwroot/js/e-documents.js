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
    document.getElementById("summary").textContent =
      I18n.text("province.edoc.summary", view.institutionId, I18n.date(view.day), view.issued, view.waiting, view.refused, I18n.money(view.issuedAmount));
    document.querySelector("#documents tbody").replaceChildren(...view.documents.map((d) => row([
      d.paymentId, I18n.text(`province.edoc.purpose.${d.purpose}`), [I18n.money(d.amount), "n"],
      [d.stateName, d.state === "issued" ? "ok" : d.state === "refused" ? "bad" : ""],
      d.documentNumber ? `${d.templateCode} ${d.series} ${d.documentNumber}` : "-", d.reason ?? "",
    ])));
  } catch (error) {
    Page.failed(error);
  }
})();
