// MSAL's redirect bridge (msal-browser v5): Entra sends the sign-in answer here, and this hands it to the page
// that started the sign-in. Register <origin>/auth-redirect.html as the page app's SPA redirect URI.
import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";

broadcastResponseToMainFrame().catch((error: unknown) => {
  document.body.textContent = `Sign-in failed: ${error instanceof Error ? error.message : String(error)}`;
});
