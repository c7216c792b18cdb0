// The customer display (/display), live by server-sent events (the browser reconnects by itself).
(function () {
  'use strict';
  var current = null;
  function $(id) { return document.getElementById(id); }
  // The QR the terminal drew, put in as a parsed image, not as page markup.
  function showSvg(element, text) {
    var svg = text ? new DOMParser().parseFromString(text, 'image/svg+xml').documentElement : null;
    element.replaceChildren(svg && svg.nodeName === 'svg' ? document.importNode(svg, true) : document.createTextNode(''));
  }
  function show(state) {
    var changed = document.body.dataset.state !== state;
    document.querySelectorAll('.screen').forEach(function (s) { s.classList.toggle('on', s.id === 's-' + state); }); document.body.dataset.state = state;
    if (changed) { Access.screen(); } // speaks the new screen when speech is on (js/access.js)
  }
  function tick() {
    if (!current || current.state !== 'awaiting' || !current.expiresAt) { return; }
    var left = Math.max(0, Math.round((new Date(current.expiresAt) - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    $('countdown').textContent = I18n.both('display.expiresIn', m + ':' + (s < 10 ? '0' : '') + s);
  }
  function render(screen) {
    current = screen;
    if (screen.institution) { $('welcome').textContent = screen.institution; $('welcome').dataset.data = ''; $('welcome').lang = 'vi'; $('inst').textContent = screen.institution; }
    if (screen.state === 'awaiting') {
      showSvg($('qr'), screen.qrSvg || '');
      $('qr').dataset.payload = screen.qrPayload || '';
      $('amount').textContent = screen.amount || '';
      $('bank').textContent = screen.bankName || '';
      $('accname').textContent = screen.accountName || '';
      $('accno').textContent = screen.accountNumber || '';
      $('code').textContent = screen.transferCode || '';
      $('amsg').textContent = screen.message || '';
      // Fraud protection: the name and the account's last digits the payer's bank app must show.
      $('acheck').textContent = I18n.both('display.access.checkName', screen.accountName || '', (screen.accountNumber || '').slice(-4));
      $('under').hidden = !screen.remaining;
      $('under').textContent = screen.remaining ? I18n.both('display.underpaidDetail', screen.received, screen.remaining) : '';
      tick();
    }
    var text = (screen.message || '') + (screen.messageEnglish ? ' / ' + screen.messageEnglish : '');
    $('cmsg').textContent = text; $('umsg').textContent = text; $('emsg').textContent = text; $('rmsg').textContent = text;
    show(screen.state);
  }
  function connect() {
    var source = new EventSource('/api/v1/display/events');
    source.addEventListener('screen', function (e) { render(JSON.parse(e.data)); $('link').textContent = ''; });
    source.addEventListener('headphones', Access.headphones); // plugged in: speech on; pulled out: off
    source.onerror = function () { $('link').textContent = I18n.both('display.reconnecting'); };
  }
  I18n.load().then(function () {
    I18n.apply();
    setInterval(tick, 1000);
    connect();
  });
})();
