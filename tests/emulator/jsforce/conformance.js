// JSforce, a Salesforce client the emulator's authors did not write, driven through what coachapp's sync relies
// on: OAuth login, describe, REST query and queryAll with paging, polymorphic and compound fields, Bulk API 2.0
// query and queryAll, and a session refreshed with a refresh token. Prints one JSON document on stdout.
const jsforce = require("jsforce");

const BULK = { pollInterval: 50, pollTimeout: 60000 };

function plainFields(described) {
  // Bulk API 2.0 cannot return compound fields; REST can, and is asked for them separately.
  return described.fields.filter((f) => f.type !== "address" && f.type !== "location").map((f) => f.name);
}

async function fetchObject(conn, name) {
  const described = await conn.sobject(name).describe();
  const fields = plainFields(described);
  const soql = `SELECT ${fields.join(", ")} FROM ${name}`;
  const run = { autoFetch: true, maxFetch: 1000000 };
  const live = await conn.query(soql).run(run);
  const all = await conn.query(soql).scanAll(true).run(run);
  const bulkLive = await (await conn.bulk2.query(soql, BULK)).toArray();
  const bulkAll = await (await conn.bulk2.query(soql, { ...BULK, scanAll: true })).toArray();
  return {
    fields: described.fields.filter((f) => fields.includes(f.name)).map((f) => ({ name: f.name, type: f.type })),
    compound: described.fields.filter((f) => f.type === "address").map((f) => f.name),
    pages: { live: live.records.length, all: all.records.length },
    rest: live.records,
    restAll: all.records,
    bulk: bulkLive,
    bulkAll,
  };
}

async function main() {
  const [loginUrl, username, password, clientId, clientSecret, refreshToken, objects] = process.argv.slice(2);
  const oauth2 = { loginUrl, clientId, clientSecret };
  const conn = new jsforce.Connection({ oauth2, version: "62.0" });
  await conn.login(username, password);
  const global = await conn.describeGlobal();
  const out = { instanceUrl: conn.instanceUrl, sobjects: global.sobjects.map((s) => s.name), objects: {} };
  for (const name of objects.split(",")) {
    out.objects[name] = await fetchObject(conn, name);
  }
  const polymorphic = await conn.query("SELECT Id, WhatId, What.Type, WhoId, Who.Type FROM Task").run({
    autoFetch: true,
    maxFetch: 1000000,
  });
  out.polymorphic = polymorphic.records;
  const addresses = await conn.query("SELECT Id, BillingAddress, BillingState, BillingCountry FROM Account").run({
    autoFetch: true,
    maxFetch: 1000000,
  });
  out.addresses = addresses.records;

  // A connection holding a session the org does not know: JSforce must refresh it with the refresh token.
  const stale = new jsforce.Connection({
    oauth2,
    version: "62.0",
    instanceUrl: conn.instanceUrl,
    accessToken: "00D000000000000!expired",
    refreshToken,
  });
  let refreshed = false;
  stale.on("refresh", () => {
    refreshed = true;
  });
  const count = await stale.query("SELECT COUNT() FROM Opportunity");
  out.refresh = { refreshed, totalSize: count.totalSize };
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(`${error.name}: ${error.message}\n${error.stack}\n`);
  process.exit(1);
});
