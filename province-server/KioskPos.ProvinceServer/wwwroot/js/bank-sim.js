// The bank simulator (/bank-sim, demo only): the VietQR payments waiting for money (GET /bank-sim/payments), each
// with a form that posts a signed notification through /bank-sim/send, which comes back here with ?result=…
// The list is read again every 8 seconds unless someone is typing in it.
"use strict";

(async () => {
  const { el, row } = Page;

  async function refresh() {
    const payments = await Page.json("/bank-sim/payments");
    const template = document.getElementById("send");
    document.querySelector("#payments tbody").replaceChildren(...payments.map((p) => {
      const form = template.content.firstElementChild.cloneNode(true);
      const open = Math.max(0, p.amount - p.received);
      form.elements.namedItem("account").value = p.bankAccount ?? "";
      form.elements.namedItem("bin").value = p.bankBin ?? "";
      form.elements.namedItem("text").value = I18n.textIn("vi", "province.bankSim.transferText", p.transferCode);
      form.elements.namedItem("amount").value = String(open > 0 ? open : p.amount);
      const button = form.querySelector("button");
      button.dataset.code = p.transferCode;
      I18n.apply(form);
      return row([p.paymentId, el("code", {}, p.transferCode), I18n.money(p.amount), I18n.money(p.received), p.state, form]);
    }));
  }

  try {
    await I18n.load();
    const result = new URLSearchParams(location.search).get("result");
    if (result) {
      const box = document.getElementById("result");
      box.textContent = result;
      box.hidden = false;
    }
    await refresh();
    setInterval(() => {
      if (!document.activeElement || document.activeElement.tagName !== "INPUT") {
        refresh().catch(Page.failed);
      }
    }, 8000);
  } catch (error) {
    Page.failed(error);
  }
})();
