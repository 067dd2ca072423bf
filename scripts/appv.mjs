// `pnpm --silent appv <args>`: pnpm runs a script from the repository root, but the paths a user types are
// relative to where they typed them (`cd examples && pnpm --silent appv info sample/VendorApp.appv` failed;
// found by review). pnpm says where that was in INIT_CWD.
process.chdir(process.env.INIT_CWD ?? process.cwd());
await import('../packages/appv/dist/cli/main.js');
