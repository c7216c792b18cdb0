// A receipt's lookup page (/r/{receipt}?h={token}, where the receipt's QR leads): GET /api/v1/receipts/{receipt}?h=…
// answers the receipt (the payer's name masked) or a problem: invalid_lookup (not a lookup link) or receipt_not_found
// (unknown receipt and wrong token alike).
"use strict";

(async () => {
  const { pair, title } = Page;

  try {
    const receipt = location.pathname.split("/").pop(); // as the address has it, still escaped
    const { found: r, problem } = await Page.lookup(`/api/v1/receipts/${receipt}`);
    if (problem) {
      const prefix = problem.code === "invalid_lookup" ? "province.receipt.bad" : "province.receipt.notFound";
      title(I18n.text(`${prefix}Title`));
      Page.refuse(prefix);
      return;
    }

    title(I18n.text("province.receipt.title", r.paymentId));
    const byBank = r.method === "vietqr";
    const [state, good] =
      (r.state === "completed" && byBank) || (r.state === "expired" && r.received > 0) ? [I18n.text("province.receipt.bankConfirmed", I18n.money(r.received)), true]
      : r.state === "completed" ? [I18n.text("province.receipt.recorded"), true]
      : r.state === "pending" ? [I18n.text("province.receipt.pending"), false]
      : [I18n.text("province.receipt.noMoney"), false];
    const line = document.getElementById("state");
    line.className = good ? "ok" : "warn";
    line.querySelector("b").textContent = state;

    const rows = [
      ["province.receipt.institution", r.institutionName],
      ["province.receipt.number", r.paymentId],
      ["province.receipt.terminal", r.terminalId],
      ["province.receipt.at", I18n.dateTime(r.createdAt)],
      [r.isPupil ? "province.receipt.pupil" : "province.receipt.patient", r.payerName ?? "-"],
    ];
    if (r.group) {
      rows.push([r.isPupil ? "province.receipt.class" : "province.receipt.department", r.group]);
    }
    const body = document.querySelector("#found tbody");
    body.replaceChildren(...rows.map(([key, value]) => pair(I18n.text(key), value)));
    for (const item of r.items) {
      body.append(pair(item.title, I18n.money(item.amount)));
    }
    const tail = [["province.receipt.amount", I18n.money(r.amount)], ["province.receipt.inWords", r.amountInWords], ["province.receipt.method", r.methodName]];
    if (r.transferCode) {
      tail.push(["province.receipt.transferCode", r.transferCode]);
    }
    body.append(...tail.map(([key, value]) => pair(I18n.text(key), value)));
    // The payment's legal e-document (and an adjustment after a void or refund), once the provider issued it.
    for (const d of r.documents ?? []) {
      // Its kind names it ("Biên lai điện tử", or "Hóa đơn/biên lai điện tử" while the kind is not known yet).
      const what = d.kindName;
      if (d.state === "issued") {
        body.append(pair(what, I18n.text("province.receipt.edocNumber", d.templateCode, d.series, d.number) + ` (${I18n.money(d.amount)})`));
        if (d.lookupCode) {
          body.append(pair(I18n.text("province.receipt.edocLookupCode"), d.lookupCode));
        }
      } else {
        body.append(pair(what, d.state === "waiting" ? I18n.text("province.receipt.edocWaiting") : d.stateName));
      }
    }
    // "Lấy hóa đơn công ty": while the payment's own document has not been sent to the provider, a company payer gives
    // its tax code and name (once an attempt was made, the provider may hold the document as first sent).
    const original = (r.documents ?? []).find((d) => d.purpose === "original");
    if (original?.buyerTaxCode) {
      body.append(pair(I18n.text("province.edoc.buyer"), original.buyerTaxCode));
    }
    if (original?.buyerAddress) {
      body.append(pair(I18n.text("province.edoc.buyerAddress"), original.buyerAddress));
    }
    if (original?.acceptsBuyer) {
      const form = document.getElementById("company");
      form.hidden = false;
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const taxCode = form.elements.namedItem("taxCode").value.trim();
        const answer = await fetch(`/api/v1/receipts/${receipt}/buyer${location.search}`, {
          method: "POST",
          headers: { Accept: "application/json", "Content-Type": "application/json" },
          body: JSON.stringify({ taxCode, name: form.elements.namedItem("name").value, address: form.elements.namedItem("address").value.trim() || null }),
        });
        const result = form.elements.namedItem("result");
        if (answer.ok) {
          result.className = "ok";
          result.textContent = I18n.text("province.lookup.companySaved", taxCode);
        } else {
          const problem = await answer.json().catch(() => ({}));
          result.className = "warn";
          result.textContent = problem.detail ? `${problem.title} ${problem.detail}` : (problem.title ?? String(answer.status));
        }
      });
    }
    document.getElementById("found").hidden = false;
  } catch (error) {
    Page.failed(error);
  }
})();
