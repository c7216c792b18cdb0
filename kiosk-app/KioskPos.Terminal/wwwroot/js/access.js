// The aids of the kiosk and the customer display, for people who see or read poorly or do not touch the screen:
//   - speech: "Đọc to" (or the keypad's *) asks the terminal to speak the screen in Vietnamese (POST /api/v1/speech;
//     the terminal composes the words itself from the screen's name, its catalogue and what it shows, and plays them
//     offline); once switched on, every screen speaks as it appears; headphones plugged into the terminal's jack switch
//     it on, and pulling them out off (the page's event stream says "headphones": Access.headphones);
//   - large text and high contrast: "Chữ lớn" (or /), or ?text=large in the address (the display has no buttons to
//     spare on its idle screen);
//   - a numeric keypad alone (a USB keypad is a keyboard-wedge device): digits type on the visible keypad, Enter does
//     the screen's main action (data-enter on its section) or presses the focused button, Backspace deletes a digit
//     or goes back (data-back), the arrows (or + and -) move the focus, which is always visible.
// Pages tell it which screen is on by body[data-screen] (kiosk) or body[data-state] (display); nothing else couples
// the two scripts.
(function (global) {
  'use strict';
  var speaking = false, busy = null;
  function visible(element) { return !!element && element.offsetParent !== null && !element.disabled && !element.hidden; }
  function section() { return document.querySelector('.screen.on'); }
  function screenName() { return document.body.dataset.screen || document.body.dataset.state || ''; }
  function byId(id) { return id ? document.getElementById(id) : null; }
  // What the arrows move through: the header's buttons, then the screen's; the digit keys of an on-screen keypad are
  // left out (the keypad's own digits type them).
  function focusables() {
    var all = Array.prototype.slice.call(document.querySelectorAll('header button, .screen.on button, .screen.on input, .screen.on a[href]'));
    return all.filter(function (e) { return visible(e) && !e.closest('.keypad'); });
  }
  function move(step) {
    var list = focusables(); if (!list.length) { return; }
    var at = list.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : (at + step + list.length) % list.length;
    list[next].focus();
  }
  function press(element) { if (visible(element)) { element.click(); return true; } return false; }
  function keypadKey(key) {
    var pad = Array.prototype.filter.call(document.querySelectorAll('.screen.on .keypad'), visible)[0];
    return pad ? pad.querySelector('button[data-key="' + key + '"]') : null;
  }
  function onKey(e) {
    if (e.ctrlKey || e.altKey || e.metaKey) { return; }
    var here = section(), active = document.activeElement, key = e.key;
    // A keypad's digit keys type where the screen has a keypad, with NumLock on or off (off, they arrive as arrows,
    // Home, End…; e.code still says which key it was); elsewhere they move as the arrows they then are.
    var digit = /^[0-9]$/.test(key) ? key : /^Numpad[0-9]$/.test(e.code || '') && keypadKey(e.code.slice(6)) ? e.code.slice(6) : null;
    if (digit !== null) { if (press(keypadKey(digit))) { e.preventDefault(); return; } if (/^[0-9]$/.test(key)) { return; } }
    if (key === 'Backspace' || key === 'Delete') {
      e.preventDefault();
      if (!press(keypadKey('⌫'))) { press(byId(here && here.dataset.back)); }
      return;
    }
    if (key === 'Enter') {
      if (active && active.type === 'checkbox') { e.preventDefault(); active.click(); return; }
      // A focused button outside the keypad presses itself (the browser's own Enter).
      if (active && active.tagName === 'BUTTON' && !active.closest('.keypad') && visible(active)) { return; }
      e.preventDefault(); press(byId(here && here.dataset.enter)); return;
    }
    if (key === 'ArrowDown' || key === 'ArrowRight' || key === '+') { e.preventDefault(); move(1); return; }
    if (key === 'ArrowUp' || key === 'ArrowLeft' || key === '-') { e.preventDefault(); move(-1); return; }
    if (key === '*') { e.preventDefault(); Access.speak(true); return; }
    if (key === '/') { e.preventDefault(); Access.large(!document.body.classList.contains('big')); }
  }
  function amountOf(id) { var e = byId(id); return e ? Number((e.textContent || '').replace(/[^0-9]/g, '')) || null : null; }

  var Access = {
    /** Large text and high contrast on or off. */
    large: function (on) {
      document.body.classList.toggle('big', on);
      var button = byId('big'); if (button) { button.setAttribute('aria-pressed', on ? 'true' : 'false'); }
      try { sessionStorage.setItem('kp-big', on ? '1' : ''); } catch (err) { /* private mode: not kept */ }
    },

    /** Speech on or off; switching it on speaks the screen at once. */
    speech: function (on) {
      speaking = on;
      var button = byId('speak'); if (button) { button.setAttribute('aria-pressed', on ? 'true' : 'false'); }
      if (on) { Access.speak(true); }
    },

    /** The terminal's headphone jack changed (a "headphones" server-sent event, data true or false): speech follows it. */
    headphones: function (e) {
      var plugged = e.data === 'true';
      document.body.dataset.headphones = plugged ? 'in' : 'out';
      if (plugged !== speaking) { Access.speech(plugged); }
    },

    /** The screen changed: focus its main action, and speak it when speech is on. */
    screen: function () {
      var here = section(); if (!here) { return; }
      var target = byId(here.dataset.focus) || byId(here.dataset.enter);
      if (!visible(target)) { target = focusables().filter(function (e) { return here.contains(e); })[0]; }
      if (target && document.activeElement !== target) { target.focus({ preventScroll: false }); }
      if (speaking) { Access.speak(false); }
    },

    /** What the terminal is asked to speak for the screen on now (the terminal composes the words). */
    request: function () {
      var name = screenName(), request = { screen: name };
      if (name === 'payer') {
        request.count = document.querySelectorAll('#bills input:checked').length; request.amount = amountOf('total');
      } else if (name === 'large') {
        request.amount = Number(document.body.dataset.largeAmount) || null; request.threshold = Number(document.body.dataset.largeAbove) || null;
      } else if (name === 'msg') {
        request.keys = ['mtitle', 'mtext'].map(function (id) { return I18n.keyOf(byId(id).textContent); }).filter(Boolean);
      } else if (name === 'awaiting' || name === 'confirmed' || name === 'idle' || name === 'underpaid' || name === 'expired' || name === 'cancelled') {
        request.screen = 'display.' + name;
      }
      return request;
    },

    /** Asks the terminal to speak this screen; a request while one is under way waits for it (one voice at a time). */
    speak: async function (force) {
      if (!speaking && !force) { return null; }
      var request = Access.request();
      document.body.dataset.spoken = '';
      var previous = busy;
      busy = (async function () {
        try { await previous; } catch (err) { /* the previous one failed: this one still goes */ }
        var response = await fetch('/api/v1/speech', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
        var body = response.ok ? await response.json() : null;
        document.body.dataset.spoken = body ? body.text : '';
        return body;
      })();
      return busy;
    }
  };

  document.addEventListener('keydown', onKey);
  document.addEventListener('DOMContentLoaded', function () {
    var stored = ''; try { stored = sessionStorage.getItem('kp-big') || ''; } catch (err) { stored = ''; }
    Access.large(new URLSearchParams(location.search).get('text') === 'large' || stored === '1');
    var speak = byId('speak'), big = byId('big');
    if (speak) { speak.addEventListener('click', function () { Access.speech(!speaking); }); }
    if (big) { big.addEventListener('click', function () { Access.large(!document.body.classList.contains('big')); }); }
  });
  global.Access = Access;
})(window);
