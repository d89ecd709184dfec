// The one way a page leaves for sign-in when its session has ended. The idle timer and every
// socket closed with 4001 may all notice at once; a second navigation started now would cancel
// the first (and a tab whose Sign out form was just posted is already on its way), so only the
// first caller navigates. replace(), so Back does not lead to the signed-out page either.
let leaving = false;
window.addEventListener("beforeunload", () => (leaving = true));
window.addEventListener("pageshow", () => (leaving = false));

export function goToSignIn(loginUrl = "/login/") {
  if (leaving) return;
  leaving = true;
  const next = encodeURIComponent(location.pathname + location.search);
  location.replace(`${loginUrl}?next=${next}`);
}
