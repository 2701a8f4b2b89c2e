// The package version, put in by the build (scripts/build.mjs defines it from package.json):
// reading package.json at run time would cost every command a file read for one option.
declare const __OCSPKIT_VERSION__: string | undefined;

export const VERSION = typeof __OCSPKIT_VERSION__ === "string" ? __OCSPKIT_VERSION__ : "dev";
