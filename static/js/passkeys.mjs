// After a passkey is added, reload the list if the page asks for it (the passkeys page does; the
// recovery codes page does not, as leaving it would lose codes that are shown only once).
document.addEventListener("otp_webauthn.register_complete", () => {
  const target = document.querySelector("[data-passkeys-url]");
  if (target) {
    window.location.assign(target.dataset.passkeysUrl);
  }
});
