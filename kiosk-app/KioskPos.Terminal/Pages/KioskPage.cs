namespace KioskPos.Terminal.Apis;

/// <summary>
/// The self-service kiosk for parents: plain HTML, CSS and a little JavaScript, no framework, nothing from the
/// network. Made for a 1024×600 or 1280×800 touch screen at arm's length: large targets, strong contrast,
/// Vietnamese first with English one tap away. Live by server-sent events (taps, the bank's answer, the network).
/// After <c>idle</c> seconds without a touch (60; <c>?idle=N</c> to change) every screen but a waiting QR goes
/// home and forgets the pupil, so the next parent never sees the last child's fees. The keypad types the digits of
/// the payer code after its prefix (<c>HS</c> for pupils; <c>?prefix=BN</c> for patients).
/// </summary>
internal static class KioskPage
{
    public const string Html = """
        <!doctype html>
        <html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>KioskPos — Ki-ốt thu học phí</title>
        <style>
        :root{--ink:#102030;--muted:#4d5b69;--ok:#17692c;--warn:#8a4d00;--bad:#a8201a;--bg:#f4f6f8;--card:#fff;--accent:#0b5cad}
        *{box-sizing:border-box}html,body{margin:0;min-height:100%;background:var(--bg);color:var(--ink);font-family:"Noto Sans","DejaVu Sans",system-ui,sans-serif;font-size:20px}
        body{overflow-x:hidden}
        header{display:flex;justify-content:space-between;align-items:center;padding:10px 20px;background:var(--ink);color:#fff}
        header b{font-size:22px}#lang{font-size:18px;min-height:48px;min-width:96px;border-radius:10px;border:2px solid #fff;background:transparent;color:#fff}
        #net{display:none;background:#fff3cd;color:#5c3b00;padding:10px 20px;font-size:18px}#net.on{display:block}
        main{padding:16px 20px;max-width:1240px;margin:0 auto}
        .screen{display:none}.screen.on{display:block}
        h1{font-size:34px;margin:.2em 0 .4em}h2{font-size:26px;margin:.2em 0}
        .muted{color:var(--muted)}.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}
        button{font:inherit;min-height:64px;border-radius:12px;border:0;padding:0 24px;cursor:pointer}
        .primary{background:var(--accent);color:#fff;font-weight:700}.secondary{background:#dde3ea;color:var(--ink)}
        button:disabled{opacity:.45}
        .home{display:grid;grid-template-columns:1fr 380px;gap:24px;align-items:start}
        .tapcard{background:var(--card);border-radius:16px;padding:28px;text-align:center}.tapcard .icon{font-size:96px;line-height:1}
        #code,#pincode{font-size:40px;letter-spacing:.08em;background:var(--card);border-radius:12px;padding:10px 16px;min-height:72px;margin-bottom:12px;font-family:"DejaVu Sans Mono",monospace}
        .keypad{display:grid;grid-template-columns:repeat(3,1fr);gap:10px}.keypad button{font-size:30px;min-height:72px;background:var(--card)}
        .bills{width:100%;border-collapse:collapse;background:var(--card);border-radius:12px;overflow:hidden}
        .bills td{padding:12px 10px;border-bottom:1px solid #e3e8ee;vertical-align:middle}.bills td.n{text-align:right;white-space:nowrap;font-weight:600}
        .bills input{width:32px;height:32px}
        .total{display:flex;justify-content:space-between;font-size:30px;font-weight:700;margin:14px 0}
        .actions{display:flex;gap:12px;flex-wrap:wrap}.actions button{flex:1 1 220px}
        .pay{display:grid;grid-template-columns:minmax(240px,380px) 1fr;gap:24px;align-items:start}
        #qr{background:#fff;border-radius:12px;padding:8px;aspect-ratio:1}#qr svg{width:100%;height:100%;display:block}
        dl{display:grid;grid-template-columns:auto 1fr;gap:6px 14px;margin:8px 0}dt{color:var(--muted)}dd{margin:0;font-weight:600;overflow-wrap:anywhere}
        .amount{font-size:42px;font-weight:800}.big{font-size:110px;line-height:1;text-align:center}.center{text-align:center}
        #lookup{max-width:190px;margin:6px auto}#lookup svg{width:100%}
        .pin{display:flex;gap:10px;align-items:center}.pin input{font-size:28px;width:200px;min-height:64px;border-radius:12px;border:2px solid #c8d0d8;padding:0 12px}
        @media (max-width:900px){.home,.pay{grid-template-columns:1fr}}
        </style></head>
        <body data-screen="home">
        <header><b id="inst">KioskPos</b><button id="lang" type="button">English</button></header>
        <div id="net" role="status"></div>
        <main>
        <section id="s-home" class="screen on"><div class="home">
          <div class="tapcard"><div class="icon" aria-hidden="true">▭</div><h1 data-t="tap"></h1><p class="muted" data-t="tapHint"></p></div>
          <div><div id="code" aria-live="polite"></div><div class="keypad" id="keypad"></div>
            <div class="actions" style="margin-top:10px"><button class="primary" id="find" type="button" data-t="find"></button></div></div></div></section>
        <section id="s-payer" class="screen">
          <h1 id="pname"></h1><p class="muted" id="pinfo"></p>
          <table class="bills" id="bills"></table>
          <div class="total"><span data-t="total"></span><span id="total"></span></div>
          <div class="actions"><button class="primary" id="payqr" type="button" data-t="payQr"></button>
            <button class="primary" id="paycard" type="button"></button><button class="secondary" id="back1" type="button" data-t="cancel"></button></div></section>
        <section id="s-pin" class="screen"><div class="home">
          <div class="tapcard"><div class="icon" aria-hidden="true">🔒</div><h1 data-t="pinTitle"></h1><p id="pinmsg"></p></div>
          <div><div id="pincode" aria-live="polite"></div><div class="keypad" id="pinpad"></div>
            <div class="actions" style="margin-top:10px;flex-wrap:nowrap"><button class="primary" id="pinok" type="button" data-t="pinOk"></button><button class="secondary" id="pinback" type="button" data-t="cancel"></button></div></div></div></section>
        <section id="s-qr" class="screen"><div class="pay"><div id="qr" role="img" aria-label="VietQR"></div>
          <div><div data-t="transfer"></div><div class="amount" id="qamount"></div>
            <dl><dt data-t="bank"></dt><dd id="qbank"></dd><dt data-t="accName"></dt><dd id="qaccname"></dd><dt data-t="accNo"></dt><dd id="qaccno"></dd><dt data-t="text"></dt><dd id="qcode"></dd></dl>
            <p class="warn" id="qunder"></p><p id="countdown"></p>
            <div class="actions"><button class="secondary" id="qcancel" type="button" data-t="cancelPay"></button></div></div></div></section>
        <section id="s-done" class="screen center"><div class="big ok">✓</div><h1 class="ok" data-t="paid"></h1><p id="dinfo"></p><p id="receipt"></p><div id="lookup"></div>
          <div class="actions"><button class="primary" id="again" type="button" data-t="done"></button></div></section>
        <section id="s-msg" class="screen center"><div class="big" id="micon"></div><h1 id="mtitle"></h1><p id="mtext"></p>
          <div class="actions"><button class="primary" id="back2" type="button" data-t="home"></button></div></section>
        </main>
        <script>
        (function(){
          var T = {
            vi: {tap:'Chạm thẻ học sinh hoặc nhập mã học sinh', tapHint:'Đặt thẻ lên đầu đọc và giữ yên một giây.', find:'Tìm', total:'Tổng cộng', payQr:'Chuyển khoản VietQR',
                 payCard:'Trừ số dư thẻ', balance:'số dư', cancel:'Huỷ', transfer:'Số tiền cần chuyển', bank:'Ngân hàng', accName:'Chủ tài khoản', accNo:'Số tài khoản',
                 text:'Nội dung chuyển khoản', cancelPay:'Huỷ thanh toán', paid:'Thanh toán thành công', done:'Xong', home:'Về màn hình chính', due:'hạn',
                 printing:'Đang in biên lai…', printed:'Biên lai đã in, xin mời nhận.', noPaper:'Máy in chưa in được biên lai. Quét mã dưới đây để xem biên lai:',
                 expires:'Mã hết hạn sau', unknown:'Thẻ không được nhận ra', unknownText:'Vui lòng nhập mã học sinh hoặc liên hệ văn phòng.', blocked:'Thẻ đã bị khóa',
                 blockedText:'Thẻ này không dùng được. Vui lòng liên hệ văn phòng nhà trường.', nothing:'Không còn khoản nào phải nộp', nothingText:'Cảm ơn quý phụ huynh.',
                 notFound:'Không tìm thấy mã học sinh', expired:'Mã QR đã hết hạn', expiredText:'Nếu quý phụ huynh đã chuyển khoản, tiền vẫn được ghi nhận.', underpaid:'Chưa đủ số tiền',
                 offline:'Mất kết nối máy chủ: vẫn nhận thanh toán bằng thẻ trong hạn mức; chuyển khoản được xác nhận khi có mạng trở lại.', refused:'Không thực hiện được',
                 cancelled:'Đã huỷ thanh toán', oneCard:'Vui lòng chỉ đặt một thẻ lên đầu đọc', lang:'English', pupil:'Lớp',
                 pinTitle:'Nhập mã PIN của thẻ', pinHint:'Khoản thanh toán này cần mã PIN của thẻ (4–8 chữ số).', pinOk:'Xác nhận'},
            en: {tap:'Tap the pupil\'s card or type the pupil code', tapHint:'Hold the card on the reader for a second.', find:'Find', total:'Total', payQr:'Pay by VietQR transfer',
                 payCard:'Pay from card balance', balance:'balance', cancel:'Cancel', transfer:'Amount to transfer', bank:'Bank', accName:'Account name', accNo:'Account number',
                 text:'Transfer text', cancelPay:'Cancel payment', paid:'Payment complete', done:'Done', home:'Back to start', due:'due',
                 printing:'Printing your receipt…', printed:'Your receipt is printed, please take it.', noPaper:'The printer could not print the receipt. Scan this code to see it:',
                 expires:'Code expires in', unknown:'Card not recognised', unknownText:'Please type the pupil code or ask the office.', blocked:'Card blocked',
                 blockedText:'This card cannot be used. Please ask the school office.', nothing:'Nothing is owed', nothingText:'Thank you.',
                 notFound:'No pupil with this code', expired:'The QR code expired', expiredText:'Money already transferred is still credited.', underpaid:'Not enough received',
                 offline:'No connection to the province server: card payments continue within limits; transfers are confirmed when the network returns.', refused:'Could not complete',
                 cancelled:'Payment cancelled', oneCard:'One card at a time, please', lang:'Tiếng Việt', pupil:'Class',
                 pinTitle:'Enter the card PIN', pinHint:'This payment needs the card\'s PIN (4 to 8 digits).', pinOk:'Confirm'}
          };
          var params = new URLSearchParams(location.search), idleSeconds = Number(params.get('idle')) || 60;
          var lastScreen = null, lang = 'vi', code = '', pin = '', payer = null, card = null, payment = null, idleTimer = null, countdown = null, prefix = params.get('prefix') || 'HS';
          function $(id){ return document.getElementById(id); }
          function t(key){ return T[lang][key] || key; }
          function translate(){
            document.documentElement.lang = lang;
            document.querySelectorAll('[data-t]').forEach(function(e){ e.textContent = t(e.dataset.t); });
            $('lang').textContent = t('lang'); $('net').textContent = t('offline');
            renderCode(); if (payer) { renderPayer(); }
          }
          function show(name){
            document.querySelectorAll('.screen').forEach(function(s){ s.classList.toggle('on', s.id === 's-' + name); });
            document.body.dataset.screen = name; touch();
          }
          function touch(){
            clearTimeout(idleTimer);
            if (document.body.dataset.screen !== 'home' && document.body.dataset.screen !== 'qr') { idleTimer = setTimeout(home, idleSeconds * 1000); }
          }
          function home(){
            payer = null; card = null; payment = null; code = ''; pin = ''; renderPin(); clearInterval(countdown);
            $('bills').innerHTML = ''; $('pname').textContent = ''; $('pinfo').textContent = ''; $('total').textContent = '';
            $('qr').innerHTML = ''; $('lookup').innerHTML = ''; $('receipt').textContent = ''; $('dinfo').textContent = '';
            renderCode(); show('home');
          }
          function message(kind, title, text){
            $('micon').textContent = kind === 'bad' ? '✕' : kind === 'warn' ? '!' : 'ℹ'; $('micon').className = 'big ' + kind;
            $('mtitle').textContent = title; $('mtitle').className = kind; $('mtext').textContent = text || ''; show('msg');
          }
          function vnd(n){ return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.') + ' ₫'; }
          function renderCode(){ $('code').textContent = prefix + code; }
          function renderPin(){ $('pincode').textContent = pin.replace(/./g, '●') || '\u00a0'; $('pinok').disabled = pin.length < 4; }
          // Above the terminal's PIN amount the server asks for the card's PIN; it is sent once and not kept.
          function askPin(text){ pin = ''; renderPin(); $('pinmsg').textContent = text || t('pinHint'); $('pinmsg').className = text ? 'bad' : 'muted'; show('pin'); }
          function problem(response, body){
            var title = body && body.title ? body.title : t('refused');
            message(response.status === 404 ? 'warn' : 'bad', title, body && body.detail && lang === 'en' ? body.detail : '');
          }
          async function json(url, options){
            var response = await fetch(url, options), body = null;
            try { body = await response.json(); } catch (e) { body = null; }
            return {response: response, body: body};
          }
          async function loadPayer(url){
            var r = await json(url);
            if (!r.response.ok) {
              if (r.body && r.body.code === 'card_not_recognised') { message('bad', t('unknown'), t('unknownText')); }
              else if (r.response.status === 404) { message('warn', t('notFound'), prefix + code); }
              else { problem(r.response, r.body); }
              return;
            }
            payer = r.body;
            if (payer.blocked && card) { message('bad', t('blocked'), t('blockedText')); payer = null; return; }
            if (!payer.openBills.length) { message('ok', t('nothing'), payer.maskedName + ' — ' + t('nothingText')); payer = null; return; }
            renderPayer(); show('payer');
            // Tap to fees on screen, for the benchmark: the frame after the one that drew them.
            if (card) { requestAnimationFrame(function(){ requestAnimationFrame(function(){ performance.mark('kp-painted'); performance.measure('kp-tap-to-paint', 'kp-tap', 'kp-painted'); }); }); }
          }
          function renderPayer(){
            $('pname').textContent = payer.maskedName;
            $('pinfo').textContent = payer.code + (payer.group ? ' · ' + t('pupil') + ' ' + payer.group : '');
            if (!$('bills').rows.length) {
              payer.openBills.forEach(function(b){
                var row = $('bills').insertRow();
                row.innerHTML = '<td><input type="checkbox" checked></td><td></td><td class="muted"></td><td class="n"></td>';
                row.cells[1].textContent = b.title; row.cells[3].textContent = b.outstandingText; row.dataset.bill = b.id; row.dataset.amount = b.outstanding;
                row.cells[2].dataset.due = b.dueDate || '';
                row.querySelector('input').addEventListener('change', renderTotal);
                // The whole row is the touch target, not just the box.
                row.addEventListener('click', function(e){ if (e.target.tagName !== 'INPUT') { var box = row.querySelector('input'); box.checked = !box.checked; renderTotal(); } });
              });
            }
            Array.prototype.forEach.call($('bills').rows, function(row){
              var due = row.cells[2].dataset.due; row.cells[2].textContent = due ? t('due') + ' ' + due.split('-').reverse().join('/') : '';
            });
            renderTotal();
          }
          function chosen(){ return Array.prototype.filter.call($('bills').rows, function(r){ return r.querySelector('input').checked; }); }
          function renderTotal(){
            var sum = chosen().reduce(function(s, r){ return s + Number(r.dataset.amount); }, 0);
            $('total').textContent = vnd(sum); $('payqr').disabled = sum === 0;
            $('paycard').hidden = !card;
            $('paycard').textContent = t('payCard') + ' (' + t('balance') + ' ' + payer.availableBalanceText + ')';
            $('paycard').disabled = sum === 0 || sum > payer.availableBalance; touch();
          }
          async function pay(method, withPin){
            var bills = chosen().map(function(r){ return {billId: r.dataset.bill}; });
            var request = {clientRequestId: 'kiosk-' + Date.now() + '-' + Math.random().toString(36).slice(2), method: method, bills: bills};
            if (method === 'card_balance') { request.cardUid = card; } else { request.payerCode = payer.code; }
            if (withPin) { request.pin = withPin; }
            $('payqr').disabled = true; $('paycard').disabled = true;
            var r = await json('/api/v1/payments', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(request)});
            if (!r.response.ok) {
              var why = r.body && r.body.code;
              if (why === 'pin_required' || why === 'pin_wrong') { askPin(why === 'pin_wrong' ? (lang === 'en' && r.body.detail ? r.body.detail : r.body.title) : ''); return; }
              problem(r.response, r.body); return;
            }
            payment = r.body;
            if (method === 'vietqr') { showQr(payment); } else { done(payment); }
          }
          async function showQr(p){
            payment = p;
            var svg = await fetch(p.qr.svgUrl); $('qr').innerHTML = await svg.text();
            $('qamount').textContent = p.remaining ? vnd(p.remaining) : p.amountText; $('qcode').textContent = p.qr.transferCode;
            clearInterval(countdown); countdown = setInterval(tick, 1000); tick(); show('qr');
            if (lastScreen) { onScreen(lastScreen); } // the display may have answered while the QR loaded
          }
          function tick(){
            if (!payment || !payment.qr) { return; }
            var left = Math.max(0, Math.round((new Date(payment.qr.expiresAt) - Date.now()) / 1000)), m = Math.floor(left / 60), s = left % 60;
            $('countdown').textContent = t('expires') + ' ' + m + ':' + (s < 10 ? '0' : '') + s;
          }
          async function done(p){
            clearInterval(countdown); payment = p;
            $('dinfo').textContent = p.amountText + ' · ' + p.id; show('done');
            for (var i = 0; i < 20; i++) {
              var receipt = p.receipt ? p.receipt.state : 'pending';
              if (receipt === 'printed') { $('receipt').textContent = t('printed'); $('receipt').className = 'ok'; return; }
              // Printer out of paper (or any problem the printer reports): offer the receipt on screen at once.
              if (receipt === 'failed' || ['ready', 'unknown', undefined].indexOf(document.body.dataset.printer) < 0) { break; }
              $('receipt').textContent = t('printing');
              await new Promise(function(ok){ setTimeout(ok, 500); });
              if (!payment || payment.id !== p.id) { return; }
              var fresh = await json('/api/v1/payments/' + encodeURIComponent(p.id) + '?t=' + p.viewToken);
              if (fresh.response.ok) { p = fresh.body; }
            }
            var lookup = await json('/api/v1/payments/' + encodeURIComponent(p.id) + '/receipt-lookup?t=' + p.viewToken);
            $('receipt').textContent = t('noPaper'); $('receipt').className = 'warn';
            if (lookup.response.ok) { $('lookup').innerHTML = lookup.body.svg; $('lookup').dataset.url = lookup.body.url; }
          }
          function onScreen(screen){
            if (!payment || !payment.qr || document.body.dataset.screen !== 'qr') { return; }
            if (screen.state === 'awaiting' && screen.paymentId === payment.id) {
              $('qbank').textContent = screen.bankName || ''; $('qaccname').textContent = screen.accountName || ''; $('qaccno').textContent = screen.accountNumber || '';
            } else if (screen.state === 'awaiting' && screen.remaining) {
              // Underpaid: the display offers a new QR for the rest; follow it.
              $('qunder').textContent = t('underpaid') + ': ' + screen.received + ' / ' + screen.remaining;
              json('/api/v1/payments/' + encodeURIComponent(screen.paymentId) + '?t=' + screen.viewToken).then(function(r){ if (r.response.ok) { showQr(r.body); } });
            } else if (screen.paymentId === payment.id && screen.state === 'confirmed') {
              json('/api/v1/payments/' + encodeURIComponent(payment.id) + '?t=' + payment.viewToken).then(function(r){ done(r.response.ok ? r.body : payment); });
            } else if (screen.paymentId === payment.id && screen.state === 'expired') {
              message('warn', t('expired'), t('expiredText'));
            } else if (screen.paymentId === payment.id && screen.state === 'underpaid') {
              message('warn', t('underpaid'), screen.message || '');
            }
          }
          function connect(){
            var source = new EventSource('/api/v1/kiosk/events');
            source.addEventListener('tap', function(e){
              var tap = JSON.parse(e.data); performance.mark('kp-tap');
              if (document.body.dataset.screen === 'qr') { return; }
              payer = null; $('bills').innerHTML = ''; card = tap.uid;
              if (!tap.recognised) { message('bad', t('unknown'), t('unknownText')); return; }
              if (tap.blocked) { message('bad', t('blocked'), t('blockedText')); return; }
              loadPayer('/api/v1/payers/by-card/' + encodeURIComponent(tap.uid));
            });
            source.addEventListener('reader', function(){ if (document.body.dataset.screen === 'home') { message('warn', t('oneCard'), ''); } });
            source.addEventListener('screen', function(e){ var s = JSON.parse(e.data); lastScreen = s; if (s.institution) { $('inst').textContent = s.institution; } onScreen(s); });
            source.addEventListener('network', function(e){ $('net').classList.toggle('on', e.data === 'false'); });
            source.addEventListener('printer', function(e){ var p = JSON.parse(e.data); document.body.dataset.printer = p.state; });
          }
          // A keypad of large keys typing into a value of at most 8 digits (the payer code, the card PIN).
          function keypad(id, value, set){
            ['1','2','3','4','5','6','7','8','9','⌫','0','C'].forEach(function(k){
              var b = document.createElement('button'); b.type = 'button'; b.textContent = k; b.dataset.key = k;
              b.addEventListener('click', function(){ var v = value(); v = k === '⌫' ? v.slice(0, -1) : k === 'C' ? '' : v.length < 8 ? v + k : v; set(v); touch(); });
              $(id).appendChild(b);
            });
          }
          keypad('keypad', function(){ return code; }, function(v){ code = v; renderCode(); });
          keypad('pinpad', function(){ return pin; }, function(v){ pin = v; renderPin(); });
          $('pinok').addEventListener('click', function(){ if (pin.length >= 4) { var p = pin; pin = ''; renderPin(); pay('card_balance', p); } });
          $('pinback').addEventListener('click', function(){ pin = ''; renderPin(); if (payer) { renderPayer(); show('payer'); } else { home(); } });
          $('find').addEventListener('click', function(){ if (code) { card = null; $('bills').innerHTML = ''; loadPayer('/api/v1/payers/' + encodeURIComponent(prefix + code)); } });
          $('payqr').addEventListener('click', function(){ pay('vietqr'); });
          $('paycard').addEventListener('click', function(){ pay('card_balance'); });
          $('back1').addEventListener('click', home); $('back2').addEventListener('click', home); $('again').addEventListener('click', home);
          $('qcancel').addEventListener('click', async function(){ if (payment) { await fetch('/api/v1/payments/' + encodeURIComponent(payment.id) + '/cancel?t=' + payment.viewToken, {method: 'POST'}); } message('warn', t('cancelled'), ''); });
          $('lang').addEventListener('click', function(){ lang = lang === 'vi' ? 'en' : 'vi'; translate(); touch(); });
          document.addEventListener('pointerdown', touch);
          translate(); connect(); home();
        })();
        </script></body></html>
        """;
}
