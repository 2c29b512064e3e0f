// Runs a command as a language server over stdio and goes through initialize → initialized → shutdown → exit,
// reading whole Content-Length framed messages. Exit 0 when the server answered both requests and then exited
// with status 0 within 5 s; otherwise 1 with the reason.
//   node tests/npm/lsp-exchange.mjs CMD [ARGS...]     (e.g. npx rlscope lsp)
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";

const [cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });
let buf = Buffer.alloc(0);
const waiting = new Map();
const fail = (msg) => {
  console.log(`lsp exchange: FAILED: ${msg}`);
  child.kill("SIGKILL");
  process.exit(1);
};
const timer = setTimeout(() => fail("timed out after 30 s"), 30_000);

child.stdout.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const m = /Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString("ascii"));
    if (!m) fail(`a frame without Content-Length: ${buf.subarray(0, end)}`);
    const len = Number(m[1]);
    if (buf.length < end + 4 + len) return;
    const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString("utf8"));
    buf = buf.subarray(end + 4 + len);
    if (msg.id !== undefined && waiting.has(msg.id) && msg.method === undefined) {
      waiting.get(msg.id)(msg);
      waiting.delete(msg.id);
    } else if (msg.id !== undefined && msg.method !== undefined) {
      // a request from the server (e.g. workspace/configuration): answer null
      send({ jsonrpc: "2.0", id: msg.id, result: null });
    }
  }
});

function send(msg) {
  const body = Buffer.from(JSON.stringify(msg), "utf8");
  child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  child.stdin.write(body);
}
let nextId = 0;
function request(method, params) {
  const id = ++nextId;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    send({ jsonrpc: "2.0", id, method, params });
  });
}

const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
const init = await request("initialize", {
  processId: process.pid,
  rootUri: pathToFileURL(process.cwd()).href,
  capabilities: {},
});
if (!init.result?.capabilities?.textDocumentSync) fail(`initialize: ${JSON.stringify(init)}`);
console.log(`ok - initialize answered by ${init.result.serverInfo?.name} ${init.result.serverInfo?.version}`);
send({ jsonrpc: "2.0", method: "initialized", params: {} });
const down = await request("shutdown", null);
if (down.error || down.result !== null) fail(`shutdown: ${JSON.stringify(down)}`);
console.log("ok - shutdown answered null");
send({ jsonrpc: "2.0", method: "exit" });
const t0 = Date.now();
const { code, signal } = await Promise.race([
  exited,
  new Promise((r) => setTimeout(() => r({ code: "still running after 5 s" }), 5000)),
]);
if (code !== 0) fail(`after exit: status ${code}${signal ? ` signal ${signal}` : ""}`);
console.log(`ok - exited with status 0, ${Date.now() - t0} ms after exit`);
clearTimeout(timer);
