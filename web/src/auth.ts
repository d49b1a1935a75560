// Sign-in. AUTH_MODE=none: nobody signs in. AUTH_MODE=entra: Microsoft Entra ID through MSAL (authorization code
// with PKCE, redirect flow; the answer comes back through /auth-redirect.html), tokens for the API's scope.
import type { UiConfig } from "./types";

export interface Auth {
  /** A bearer token for the API, or null when the API needs none. */
  token(): Promise<string | null>;
  /** Who is signed in (for the header), null when nobody or when sign-in is off. */
  account: string | null;
  /** Set when a sign-in is needed before the page can call the API. */
  signIn: (() => Promise<void>) | null;
  signOut: (() => Promise<void>) | null;
  /** Why sign-in cannot work (e.g. not configured), in words. */
  problem: string | null;
}

const NO_SIGN_IN: Auth = { token: async () => null, account: null, signIn: null, signOut: null, problem: null };

export async function createAuth(config: UiConfig): Promise<Auth> {
  if (config.authMode === "none") return NO_SIGN_IN;
  if (!config.clientId || !config.authority || !config.apiScope) {
    return { ...NO_SIGN_IN, problem: "Sign-in is not configured on this service: set UI_CLIENT_ID (the page's Entra app registration)." };
  }
  // Loaded only when needed: laptops and tests without Entra never download MSAL.
  const { PublicClientApplication, InteractionRequiredAuthError } = await import("@azure/msal-browser");
  const scopes = [config.apiScope];
  const msal = new PublicClientApplication({
    auth: { clientId: config.clientId, authority: config.authority, redirectUri: `${location.origin}/auth-redirect.html` },
    cache: { cacheLocation: "sessionStorage" },
  });
  await msal.initialize();
  const result = await msal.handleRedirectPromise();
  const account = result?.account ?? msal.getActiveAccount() ?? msal.getAllAccounts()[0] ?? null;
  if (account) msal.setActiveAccount(account);
  const signIn = async () => msal.loginRedirect({ scopes, redirectStartPage: location.href });
  return {
    account: account?.username ?? null,
    signIn: account ? null : signIn,
    signOut: account ? () => msal.logoutRedirect({ account }) : null,
    problem: null,
    async token() {
      if (!account) return null;
      try {
        return (await msal.acquireTokenSilent({ scopes, account })).accessToken;
      } catch (error) {
        if (error instanceof InteractionRequiredAuthError) await msal.acquireTokenRedirect({ scopes, account, redirectStartPage: location.href });
        throw error;
      }
    },
  };
}
