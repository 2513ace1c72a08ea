// A real OpenID Connect provider (oidc-provider, the OpenID-certified Node implementation)
// for the sign-in tests. It listens on 127.0.0.1 on a free port and prints one line,
// `listening <issuer>`, once it answers; the tests then wait for its discovery document.
//
// Configuration comes from the environment, as JSON where it is structured:
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET  the one client (the service)
//   OIDC_REDIRECT_URIS                  its redirect URIs, a JSON list
//   OIDC_ACCOUNTS                       {login: {email, email_verified, name, groups, club}}
//
// The login form is the provider's own development form: the login names an account of
// OIDC_ACCOUNTS (any password). Consent is implied for the one first-party client.
import http from "node:http";
import Provider from "oidc-provider";

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
};

const clientId = env("OIDC_CLIENT_ID");
const clientSecret = env("OIDC_CLIENT_SECRET");
const redirectUris = JSON.parse(env("OIDC_REDIRECT_URIS"));
const accounts = JSON.parse(env("OIDC_ACCOUNTS"));

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    }],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name"],
      groups: ["groups", "club", "department"],
    },
    scopes: ["openid", "email", "profile", "groups"],
    // every client that asks gets PKCE checked, not only public ones
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["test-only-cookie-key-not-secret"] },
    async findAccount(ctx, sub) {
      const account = accounts[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, ...account };
        },
      };
    },
    // the service is the club's own first-party client: no consent screen
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile groups");
      await grant.save();
      return grant;
    },
  });
  server.on("request", provider.callback());
  console.log(`listening ${issuer}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
