// A VietQR payment's page for a relative (/p/{payment}?k={key}, the link the kiosk's small QR carries):
// GET /api/v1/pay-links/{payment}?k=… answers the payment (the same EMV payload as the kiosk, drawn as a QR by the
// server; the payer's name masked) or a problem: invalid_pay_link (no or malformed k) or pay_link_not_found (unknown
// payment and wrong key alike). Vietnamese first, English beside it. Only an open payment shows its QR (settled: its
// bills were paid, part of them another way, so money sent to it would be refunded); the countdown
// runs on the server's seconds left, so a phone with a wrong clock still shows the right time.
"use strict";

(async () => {
  const { both, pair } = Page;
  // An SVG the server drew (the QR), put in as a parsed image, not as page markup.
  const showSvg = (element, text) => {
    const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
    element.replaceChildren(svg.nodeName === "svg" ? document.importNode(svg, true) : document.createTextNode(""));
  };

  try {
    const payment = location.pathname.split("/").pop(); // as the address has it, still escaped
    const { found: p, problem } = await Page.lookup(`/api/v1/pay-links/${payment}`);
    if (problem) {
      const prefix = problem.code === "invalid_pay_link" ? "province.pay.bad" : "province.pay.notFound";
      document.getElementById("rtitle").textContent = both(`${prefix}Title`);
      Page.refuse(prefix);
      document.body.dataset.state = "refused";
      return;
    }

    document.body.dataset.state = p.state;
    document.getElementById("amount").textContent = p.amountText;
    document.getElementById("payee").textContent = `${p.institutionName} · ${p.payerName ?? ""}`;
    const line = document.getElementById("state");
    if (p.state !== "open") {
      line.className = p.state === "paid" || p.state === "settled" ? "ok" : "warn";
      line.textContent = both(`province.pay.${p.state}`);
    }

    if (p.largeTransfer) {
      const large = document.getElementById("large");
      large.querySelector(".vi").textContent = I18n.textIn("vi", "province.pay.largeText", p.amountText, p.largeTransferAboveText);
      large.querySelector(".en").textContent = I18n.textIn("en", "province.pay.largeText", p.amountText, p.largeTransferAboveText);
      large.hidden = false;
    }

    if (p.state === "open") {
      const qr = document.getElementById("qr");
      qr.setAttribute("aria-label", both("province.pay.qr"));
      qr.dataset.payload = p.payload;
      showSvg(qr, p.svg);
      document.getElementById("check").textContent = both("province.pay.checkName", p.accountName ?? "", p.accountEnding ?? "");
      const ends = Date.now() + p.secondsLeft * 1000;
      const countdown = document.getElementById("countdown");
      const tick = () => {
        const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
        const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
        countdown.textContent = both("province.pay.expiresIn", time);
        if (left === 0) {
          // The QR has expired: take it away and say so, as the server will from now on.
          clearInterval(timer);
          document.getElementById("open").hidden = true;
          qr.replaceChildren();
          document.body.dataset.state = "expired";
          line.className = "warn";
          line.textContent = both("province.pay.expired");
        }
      };
      const timer = setInterval(tick, 1000);
      tick();
      document.getElementById("open").hidden = false;
    }

    const rows = [
      ["province.pay.institution", p.institutionName],
      [p.isPupil ? "province.pay.pupil" : "province.pay.patient", p.payerName ?? "-"],
      ["province.pay.amount", p.amountText],
      ["province.pay.inWords", p.amountInWords],
      ["province.pay.recipient", p.accountName ?? "-"],
      ["province.pay.bank", p.bankName ?? "-"],
      ["province.pay.accountEnding", p.accountEnding ?? "-"],
    ];
    if (p.transferCode) {
      rows.push(["province.pay.transferText", p.transferCode]);
    }
    document.querySelector("#found tbody").replaceChildren(...rows.map(([key, value]) => pair(both(key), value)));
    document.getElementById("found").hidden = false;
  } catch (error) {
    Page.failed(error);
  }
})();
