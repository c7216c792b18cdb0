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
      // As a person types what the receipt prints: the number upper-case without spaces, the key's groups of four
      // joined by '-' or spaces (or not at all), in either case.
      const receipt = form.namedItem("receipt").value.replace(/\s+/g, "").toUpperCase();
      const key = form.namedItem("key").value.replace(/[\s-]+/g, "").toUpperCase();
      const message = document.getElementById("lookupmsg");
      if (!/^[0-9A-F]{12}$/.test(key)) {
        message.textContent = I18n.text("province.lookup.badKey");
        message.hidden = false;
        form.namedItem("key").focus();
        return;
      }
      message.hidden = true;
      const printed = key.match(/.{4}/g).join("-"); // ABCD-EF01-2345, as the receipt prints it
      location.assign(`/r/${encodeURIComponent(receipt)}?h=${encodeURIComponent(printed)}`);
    });
  } catch (error) {
    Page.failed(error);
  }
})();
