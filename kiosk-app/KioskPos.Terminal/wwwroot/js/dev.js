// The simulated devices (/dev): each sample button (or the typed text) is scanned by the emulated 2D scanner, which
// types it into its evdev FIFO; the terminal's scanner reader reads it and the counter and kiosk screens hear the scan.
// The answer says what the screens were told: read, or the refusal's catalogue key. The emulated panel's PNG is shown
// when there is one (a terminal with an emulated SPI panel), refreshed every two seconds.
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  async function scan(text) {
    $('result').textContent = '';
    var response = await fetch('/dev/scanner', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: text }) });
    var body = await response.json();
    document.body.dataset.scans = String(Number(document.body.dataset.scans || 0) + 1);
    if (response.status === 404) { $('result').textContent = I18n.both('dev.noScanner'); return; }
    if (!response.ok) { $('result').textContent = body.detail || body.title || String(response.status); return; }
    $('result').textContent = body.problem ? I18n.both(body.problem) : I18n.both('dev.scanned');
  }
  var refresh = null;
  function panel() {
    var image = new Image();
    image.onload = function () {
      $('panelpng').src = image.src; $('panel').hidden = false;
      if (!refresh) { refresh = setInterval(panel, 2000); }
    };
    image.src = '/dev/panel.png?at=' + Date.now();
  }
  I18n.load().then(function () {
    I18n.apply();
    document.querySelectorAll('button.sample').forEach(function (button) {
      button.addEventListener('click', function () { scan(button.dataset.text); });
    });
    $('scan').addEventListener('click', function () { if ($('text').value) { scan($('text').value); } });
    panel();
  });
})();
