// Sign-in (/login): a plain form post to /login; the server answers with a redirect, back here with ?error=wrong,
// or ?error=wait&seconds=N while the name or this address must wait after too many wrong passwords (the same answer
// whether the name exists or not). With no one able to sign in yet, the server sends ?setup=first-admin: the page
// then says which command creates the first administrator. The return path is only passed on: the server keeps it
// to paths of this site.
"use strict";

// As SignInApi.FirstAdminCommand (the server logs the same at start).
const FIRST_ADMIN = 'kioskpos-province users add-admin <username> --full-name "<full name>"';

(async () => {
  const here = new URLSearchParams(location.search);
  document.querySelector("input[name=return]").value = here.get("return") || "/";
  try {
    await I18n.load();
    if (here.get("setup") === "first-admin") {
      const box = document.getElementById("setup");
      box.querySelector("span").textContent = I18n.textIn("vi", "province.signIn.firstAdmin", "");
      box.querySelector("small").textContent = I18n.textIn("en", "province.signIn.firstAdmin", "");
      box.querySelector("code").textContent = FIRST_ADMIN;
      box.hidden = false;
    }
    const error = here.get("error");
    if (error === "wrong" || error === "wait") {
      const seconds = Math.max(1, Number.parseInt(here.get("seconds") || "1", 10) || 1);
      const key = error === "wait" ? "province.signIn.wait" : "province.signIn.wrong";
      const box = document.getElementById("error");
      box.querySelector("span").textContent = I18n.textIn("vi", key, seconds);
      box.querySelector("small").textContent = I18n.textIn("en", key, seconds);
      box.hidden = false;
    }
  } catch (error) {
    Page.failed(error);
  }
})();
