/** The shape of `/console/config.json`, shared by the console, the local site and the Console stack. */

/** What the console reads from `/console/config.json` at start. */
export interface ConsoleConfig {
  /** The API's base URL; empty: the same origin (the local gateway). */
  apiUrl: string;
  auth: ConsoleAuth;
}

export type ConsoleAuth =
  /** The API checks no token (npm start without --auth). */
  | { mode: 'none' }
  /** The user pastes a bearer token (npm start --auth prints one). */
  | { mode: 'token' }
  /** OAuth 2.0 authorization code with PKCE against the issuer the API trusts. */
  | {
      mode: 'oauth';
      issuer: string;
      authorizeUrl: string;
      tokenUrl: string;
      /** Where the user signs out (Cognito's /logout); absent: the token is only forgotten. */
      logoutUrl?: string;
      clientId: string;
      scopes: string[];
    };
