// Sign-in (/login): a plain form post to /login; the server answers with a redirect, back here with ?error=wrong or
// ?error=locked when it refused. The return path is only passed on: the server keeps it to paths of this site.
"use strict";

(async () => {
  const here = new URLSearchParams(location.search);
  document.querySelector("input[name=return]").value = here.get("return") || "/";
  try {
    await I18n.load();
    const error = here.get("error");
    if (error === "wrong" || error === "locked") {
      const { lockAfter } = await Page.json("/api/v1/province/session");
      const key = error === "locked" ? "province.signIn.locked" : "province.signIn.wrong";
      const box = document.getElementById("error");
      box.querySelector("span").textContent = I18n.textIn("vi", key, lockAfter);
      box.querySelector("small").textContent = I18n.textIn("en", key, lockAfter);
      box.hidden = false;
    }
  } catch (error) {
    Page.failed(error);
  }
})();
