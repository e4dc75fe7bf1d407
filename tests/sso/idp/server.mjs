// A real OpenID Connect provider for the SSO tests: the certified `oidc-provider` package with its
// development login and consent pages (any password; the login is the email).
// Environment: PORT, CLIENTS (JSON list of client metadata), ROLES (JSON: email -> role claim).
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const roles = JSON.parse(process.env.ROLES || '{}');

const provider = new Provider(issuer, {
  clients: JSON.parse(process.env.CLIENTS || '[]'),
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'role'] },
  conformIdTokenClaims: false,
  cookies: { keys: ['tests-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: id, ...(roles[id] ? { role: roles[id] } : {}) };
      },
    };
  },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
