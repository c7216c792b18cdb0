namespace KioskPos.Terminal.Apis;

/// <summary>
/// The customer display page: plain HTML, CSS and a little JavaScript, no framework and nothing from the network.
/// The kiosk's visual language (its palette, header bar, white panels on grey); large type for arm's length;
/// Vietnamese first, English below; live by server-sent events (the browser reconnects by itself). Welcome, the QR
/// with its countdown, the confirmation and thank-you, underpaid, expired, cancelled.
/// </summary>
internal static class DisplayPage
{
    public const string Html = """
        <!doctype html>
        <html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>KioskPos — Màn hình khách hàng</title>
        <style>
        :root{--ink:#102030;--muted:#4d5b69;--ok:#17692c;--warn:#8a4d00;--bad:#a8201a;--bg:#f4f6f8;--card:#fff;--accent:#0b5cad}
        *{box-sizing:border-box}html,body{margin:0;height:100%;background:var(--bg);color:var(--ink);font-family:"Noto Sans","DejaVu Sans",system-ui,sans-serif}
        body{display:flex;flex-direction:column;overflow-x:hidden}
        header{display:flex;justify-content:space-between;align-items:center;padding:10px 20px;background:var(--ink);color:#fff;font-size:clamp(18px,2.2vw,24px)}
        header span{opacity:.8;font-size:.8em}
        main{flex:1;display:flex;align-items:center;justify-content:center;padding:2vh 3vw}
        .screen{display:none;width:100%;max-width:1200px;text-align:center;background:var(--card);border-radius:16px;padding:3vh 3vw}.screen.on{display:block}
        .methods{display:flex;gap:2vw;justify-content:center;margin-top:3vh;font-size:clamp(18px,2.4vw,28px)}.methods div{background:var(--bg);border-radius:12px;padding:.6em 1em}
        .thanks{font-size:clamp(22px,3vw,36px);margin-top:1em}
        h1{font-size:clamp(28px,5vw,56px);margin:.2em 0}h2{font-size:clamp(22px,3.4vw,40px);margin:.3em 0;color:var(--muted);font-weight:500}
        .en{color:var(--muted);font-size:.6em;display:block;font-weight:400}
        .pay{display:grid;grid-template-columns:minmax(260px,44vh) 1fr;gap:4vw;align-items:center;text-align:left}
        #qr{background:#fff;padding:8px;border:2px solid #e3e8ee;border-radius:12px;width:100%;aspect-ratio:1}#qr svg{width:100%;height:100%;display:block}
        .amount{font-size:clamp(36px,6vw,72px);font-weight:700;margin:.1em 0}
        dl{display:grid;grid-template-columns:auto 1fr;gap:.3em 1em;font-size:clamp(18px,2.4vw,28px);margin:.6em 0}dt{color:var(--muted)}dd{margin:0;font-weight:600}
        .code{font-family:"DejaVu Sans Mono",monospace;letter-spacing:.08em;background:var(--bg);padding:.05em .3em;border-radius:6px}
        .countdown{font-size:clamp(20px,2.6vw,30px);color:var(--warn)}
        .big{font-size:clamp(90px,16vw,180px);line-height:1}.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}
        .under{font-size:clamp(22px,3vw,36px);font-weight:700;margin:0 0 .5em}
        .msg{font-size:clamp(20px,2.8vw,32px);margin:.4em 0}
        #link{position:fixed;bottom:8px;right:12px;font-size:14px;color:var(--muted)}
        </style></head>
        <body>
        <header><b id="inst">KioskPos</b><span>Thanh toán không dùng tiền mặt · Cashless payment</span></header>
        <main>
        <section id="s-idle" class="screen on"><h1 id="welcome">Xin chào</h1><h2>Chào mừng quý phụ huynh và người bệnh<span class="en">Welcome</span></h2>
          <div class="methods"><div>▦ VietQR<span class="en">any banking app</span></div><div>▭ Thẻ học sinh, bệnh nhân<span class="en">pupil and patient cards</span></div></div></section>
        <section id="s-awaiting" class="screen"><div class="under warn" id="under" hidden></div><div class="pay"><div id="qr" role="img" aria-label="VietQR"></div>
          <div><div>Số tiền cần chuyển <span class="en">Amount to transfer</span></div><div class="amount" id="amount"></div>
          <dl><dt>Ngân hàng</dt><dd id="bank"></dd><dt>Chủ tài khoản</dt><dd id="accname"></dd><dt>Số tài khoản</dt><dd id="accno"></dd>
          <dt>Nội dung CK</dt><dd><span class="code" id="code"></span></dd></dl>
          <div class="msg" id="amsg"></div><div class="countdown" id="countdown"></div></div></div></section>
        <section id="s-confirmed" class="screen"><div class="big ok">✓</div><h1 class="ok">Đã nhận thanh toán<span class="en">Payment received</span></h1><div class="msg" id="cmsg"></div>
          <div class="thanks">Xin mời nhận biên lai.<span class="en">Please take your receipt.</span></div></section>
        <section id="s-underpaid" class="screen"><div class="big warn">!</div><h1 class="warn">Chưa đủ số tiền<span class="en">Underpaid</span></h1><div class="msg" id="umsg"></div></section>
        <section id="s-expired" class="screen"><div class="big bad">⏱</div><h1 class="bad">Mã QR đã hết hạn<span class="en">QR code expired</span></h1><div class="msg" id="emsg"></div></section>
        <section id="s-cancelled" class="screen"><h1>Đã huỷ thanh toán<span class="en">Payment cancelled</span></h1></section>
        </main><div id="link"></div>
        <script>
        (function(){
          var current = null, timer = null;
          function $(id){ return document.getElementById(id); }
          function show(state){ document.querySelectorAll('.screen').forEach(function(s){ s.classList.toggle('on', s.id === 's-' + state); }); document.body.dataset.state = state; }
          function tick(){
            if (!current || current.state !== 'awaiting' || !current.expiresAt) { return; }
            var left = Math.max(0, Math.round((new Date(current.expiresAt) - Date.now()) / 1000));
            var m = Math.floor(left / 60), s = left % 60;
            $('countdown').textContent = 'Mã hết hạn sau ' + m + ':' + (s < 10 ? '0' : '') + s + ' / expires in ' + m + ':' + (s < 10 ? '0' : '') + s;
          }
          function render(screen){
            current = screen;
            if (screen.institution) { $('welcome').textContent = screen.institution; $('inst').textContent = screen.institution; }
            if (screen.state === 'awaiting') {
              $('qr').innerHTML = screen.qrSvg || '';
              $('qr').dataset.payload = screen.qrPayload || '';
              $('amount').textContent = screen.amount || '';
              $('bank').textContent = screen.bankName || '';
              $('accname').textContent = screen.accountName || '';
              $('accno').textContent = screen.accountNumber || '';
              $('code').textContent = screen.transferCode || '';
              $('amsg').textContent = screen.message || '';
              $('under').hidden = !screen.remaining;
              $('under').textContent = screen.remaining ? 'Chưa đủ số tiền: đã nhận ' + screen.received + ', còn thiếu ' + screen.remaining + ' / Underpaid: ' + screen.remaining + ' still due' : '';
              tick();
            }
            var text = (screen.message || '') + (screen.messageEnglish ? ' / ' + screen.messageEnglish : '');
            $('cmsg').textContent = text; $('umsg').textContent = text; $('emsg').textContent = text;
            show(screen.state);
          }
          function connect(){
            var source = new EventSource('/api/v1/display/events');
            source.addEventListener('screen', function(e){ render(JSON.parse(e.data)); $('link').textContent = ''; });
            source.onerror = function(){ $('link').textContent = 'Đang kết nối lại… / reconnecting…'; };
          }
          timer = setInterval(tick, 1000);
          connect();
        })();
        </script></body></html>
        """;
}
