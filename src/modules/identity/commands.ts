// Identity's console commands: a first platform administrator, a tenant's service API key, a member
// added without an invitation, an OAuth client. The operator at the console acts with platform
// authority. Only commander is loaded here: `platforma --help` reads this file; the module's code
// is loaded by the command that runs.
import { Option } from 'commander';
import type { CommandLine } from '../../kernel/module.js';
import { systemContext } from '../../kernel/context.js';

const operator = async () => (await import('./access/builtin-roles.js')).consoleOperatorContext('cli');

// Of the kernel, the commands use the clock (an API key's expiry); the rest goes through identity's API.
export function identityCommands({ program, withPlatform }: CommandLine<'clock'>): void {
  program
    .command('admin')
    .description('Manage platform administrators')
    .command('create')
    .description('Create a platform administrator (password hashed with argon2id)')
    .requiredOption('--email <email>', 'the administrator’s email')
    .option('--password <password>', 'the password (or set PLATFORMA_ADMIN_PASSWORD, which keeps it out of shell history)')
    .action((options: { email: string; password?: string }) =>
      withPlatform(async (platform, config) => {
        const password = options.password ?? process.env.PLATFORMA_ADMIN_PASSWORD;
        if (!password) throw new Error('Give the password with --password or PLATFORMA_ADMIN_PASSWORD.');
        const user = await platform.identity.service.createPlatformAdmin({ email: options.email, password }, systemContext('cli'));
        console.log(`Created platform administrator ${user.email} (${user.id}). Sign in at ${config.publicUrl}/admin`);
      }),
    );

  program
    .command('api-key')
    .description('Manage API keys')
    .command('create')
    .description('Create a service API key for a tenant; prints it as JSON, the secret this once')
    .requiredOption('--tenant <id>', 'the tenant the key acts for')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--role <role>', 'a built-in tenant role or a custom role id', 'read-only')
    .option('--scopes <patterns>', 'comma-separated action patterns that narrow the role (e.g. tenants:tenant.read)')
    .option('--expires-in-days <days>', 'the key stops working after this many days')
    .action((options: { tenant: string; name: string; role: string; scopes?: string; expiresInDays?: string }) => {
      const days = options.expiresInDays === undefined ? undefined : Number(options.expiresInDays);
      return withPlatform(async (platform) => {
        if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new Error('--expires-in-days must be a whole number of days, 1 or more.');
        const scopes = options.scopes === undefined ? null : options.scopes.split(',').map((scope) => scope.trim()).filter(Boolean);
        const expiresAt = days === undefined ? null : new Date(platform.kernel.clock.now().getTime() + days * 86_400_000).toISOString();
        const key = await platform.identity.apiKeys.createServiceKey(options.tenant, { name: options.name, role: options.role, scopes, expiresAt }, await operator());
        console.log(JSON.stringify(key, null, 2));
      });
    });

  program
    .command('member')
    .description('Manage tenant members from the console')
    .command('add')
    .description('Make an existing account a member of a tenant at once (over the API, people join by accepting an invitation)')
    .requiredOption('--tenant <id>', 'the tenant')
    .requiredOption('--email <email>', 'the account to add (staff accounts never join tenants)')
    .option('--role <role>', 'a built-in tenant role or a custom role id', 'member')
    .action((options: { tenant: string; email: string; role: string }) =>
      withPlatform(async (platform) => {
        const added = await platform.identity.access.attachMember(options.tenant, { email: options.email, role: options.role }, await operator());
        console.log(JSON.stringify(added, null, 2));
      }),
    );

  program
    .command('oauth-client')
    .description('Manage OAuth clients of a tenant')
    .command('create')
    .description('Register an OAuth client for a tenant; prints JSON with client_id, the secret (shown once) and the issuer URL')
    .requiredOption('--tenant <id>', 'the tenant the client belongs to (ten_…)')
    .requiredOption('--name <name>', 'a name people recognise (shown on the consent screen)')
    .addOption(new Option('--grant <grant>', 'client_credentials (machines) or authorization_code (apps acting for users, with PKCE)').choices(['client_credentials', 'authorization_code']).default('client_credentials'))
    .option('--redirect-uri <uri...>', 'exact redirect URI(s) of an authorization_code client')
    .option('--scopes <scope...>', 'scopes it may request (space- or comma-separated), e.g. tenants:read identity:read; default every :read scope')
    .option('--role <role>', 'client_credentials: the tenant role its tokens act with (default read-only)')
    .action((options: { tenant: string; name: string; grant: 'client_credentials' | 'authorization_code'; redirectUri?: string[]; scopes?: string[]; role?: string }) =>
      withPlatform(async (platform) => {
        const created = await platform.identity.oauthClients.create(
          options.tenant,
          {
            name: options.name,
            grantType: options.grant,
            redirectUris: options.redirectUri,
            scopes: options.scopes?.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean),
            role: options.role,
          },
          await operator(),
        );
        const output = {
          client_id: created.clientId,
          client_secret: created.clientSecret,
          issuer: created.issuer,
          tenant_id: created.tenantId,
          name: created.name,
          grant_type: created.grantType,
          redirect_uris: created.redirectUris,
          scopes: created.scopes,
          role: created.role,
        };
        console.log(JSON.stringify(output, null, 2));
      }),
    );
}
