// /r, the address printed on a receipt beside its lookup key: the payer types the receipt number and the key, and
// goes to /r/{receipt}?h={key}, the receipt's page with its e-invoice or e-receipt once issued.
"use strict";

(async () => {
  try {
    await I18n.load();
    I18n.apply();
    document.getElementById("lookup").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target.elements;
      const receipt = form.namedItem("receipt").value.trim();
      const key = form.namedItem("key").value.trim();
      location.assign(`/r/${encodeURIComponent(receipt)}?h=${encodeURIComponent(key)}`);
    });
  } catch (error) {
    Page.failed(error);
  }
})();
