// A minimal npm registry on 127.0.0.1 serving the packed tarballs of one folder (npm/build.mjs --pack), so that
// `npm install rlscope@<version>` runs for real (packuments, tarballs, integrity) with no network. Any other
// package is a 404, as on the public registry for a name that does not exist.
//   node tests/npm/registry.mjs TARBALL_DIR PORT_FILE     (writes the port to PORT_FILE once listening; logs
//   each request as `GET /path STATUS` on stdout)
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const [dir, portFile] = process.argv.slice(2);
const packages = new Map(); // name -> { version -> manifest with dist }
let base = "";
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".tgz"))) {
  const tgz = fs.readFileSync(path.join(dir, file));
  const manifest = JSON.parse(execFileSync("tar", ["-xzOf", path.join(dir, file), "package/package.json"], { encoding: "utf8" }));
  const versions = packages.get(manifest.name) ?? {};
  versions[manifest.version] = {
    ...manifest,
    _file: file,
    dist: {
      integrity: `sha512-${crypto.createHash("sha512").update(tgz).digest("base64")}`,
      shasum: crypto.createHash("sha1").update(tgz).digest("hex"),
    },
  };
  packages.set(manifest.name, versions);
}

const server = http.createServer((req, res) => {
  const url = decodeURIComponent(req.url.split("?")[0]);
  res.on("finish", () => console.log(`${req.method} ${url} ${res.statusCode}`));
  if (url.startsWith("/-/tarballs/")) {
    const file = path.join(dir, path.basename(url));
    if (fs.existsSync(file)) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(fs.readFileSync(file));
      return;
    }
  } else {
    const name = url.slice(1);
    const versions = packages.get(name);
    if (versions) {
      const out = {};
      for (const [v, m] of Object.entries(versions)) {
        const { _file, ...rest } = m;
        out[v] = { ...rest, dist: { ...rest.dist, tarball: `${base}/-/tarballs/${_file}` } };
      }
      const latest = Object.keys(out).sort().at(-1);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ name, "dist-tags": { latest }, versions: out }));
      return;
    }
  }
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "Not found" }));
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  base = `http://127.0.0.1:${port}`;
  fs.writeFileSync(portFile, String(port));
  console.log(`registry: ${[...packages.keys()].join(", ")} on ${base}`);
});
