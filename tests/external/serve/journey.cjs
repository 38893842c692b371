// A SENCO's whole case in a real browser (headless Chromium through puppeteer-core, no browser
// download): start a new case, add the reports, fill every document from empty, save, render
// the pack and open it. axe-core checks every page; screenshots go to the folder given.
// Usage: node journey.cjs JOURNEY.json   (written by tests/external/serve.rs)
"use strict";
const fs = require("fs");
const path = require("path");

const journey = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const tools = path.join(journey.tools, "node_modules");
const puppeteer = require(path.join(tools, "puppeteer-core"));
const axeSource = fs.readFileSync(path.join(tools, "axe-core", "axe.min.js"), "utf8");

const result = { pages: [], violations: [], consoleErrors: [], steps: [] };
let shot = 0;

async function check(page, name) {
  // axe-core, run in the page by the DevTools protocol (not a script tag: the CSP forbids those).
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  for (const v of found) result.violations.push({ page: name, ...v });
  shot += 1;
  const file = path.join(journey.screenshots, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  result.pages.push({ name, file });
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: journey.chromium,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-dev-shm-usage",
      "--lang=en-GB",
    ],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    page.on("console", (m) => {
      if (m.type() === "error") result.consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => result.consoleErrors.push(String(e)));
    page.on("response", (r) => {
      if (r.status() >= 400) {
        r.text()
          .then((t) => result.consoleErrors.push(`${r.status()} from ${r.url()}: ${t}`))
          .catch(() => result.consoleErrors.push(`${r.status()} from ${r.url()}`));
      }
    });
    page.setDefaultTimeout(60000);

    // The printed address: the token becomes a cookie.
    await page.goto(journey.url, { waitUntil: "load" });
    await check(page, "home-empty");

    // Keyboard: the first Tab reaches the skip link, which is visible when focused.
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => document.activeElement.className);
    result.steps.push({ step: "first tab", focused: skip });

    // Start a new case, typed as a person types.
    await page.type("#new-name", journey.case);
    await page.select("#new-year", String(journey.year_group));
    await Promise.all([page.waitForNavigation(), page.click("form.new-case button[type=submit]")]);
    await check(page, "case-new");

    // Add the reports.
    for (const r of journey.reports) {
      const input = await page.$("#up-file");
      await input.uploadFile(r.path);
      for (const [id, v] of [["#up-title", r.title], ["#up-author", r.author]]) {
        await page.$eval(id, (el) => (el.value = ""));
        if (v) await page.type(id, v);
      }
      await page.$eval("#up-date", (el, v) => (el.value = v), r.date || "");
      await page.select("#up-type", r.type);
      await Promise.all([page.waitForNavigation(), page.click("form.upload button[type=submit]")]);
      const err = await page.$eval("#up-error", (el) => el.textContent);
      if (err) throw new Error(`upload of ${r.path}: ${err}`);
    }
    await check(page, "case-with-reports");
    const caseUrl = page.url();

    // Every document, from empty, then saved.
    for (const doc of journey.documents) {
      await page.goto(`${caseUrl}/${encodeURIComponent(doc.file)}`, { waitUntil: "load" });
      await page.waitForFunction(() => document.getElementById("doc-form") !== null);
      if (doc.file === "pupil.yaml") {
        // What a SENCO sees on opening a document of a new case, for the README.
        await page.setViewport({ width: 1280, height: 1500 });
        await page.screenshot({ path: path.join(journey.screenshots, "readme-document.png") });
        await page.setViewport({ width: 1280, height: 800 });
      }
      const problems = await page.evaluate((values) => {
        const problems = [];
        function set(p, v) {
          if (v === null) return;
          if (Array.isArray(v)) {
            const group = document.getElementById("f" + p);
            if (!group) return problems.push("no list " + p);
            const ol = group.querySelector(":scope > ol");
            while (ol.children.length < v.length) group.querySelector(":scope > button.add").click();
            while (ol.children.length > v.length) ol.lastElementChild.querySelector("button.remove").click();
            v.forEach((item, i) => set(p + "/" + i, item));
          } else if (typeof v === "object") {
            for (const [k, x] of Object.entries(v)) set(p + "/" + k, x);
          } else {
            const el = document.getElementById("f" + p);
            if (!el) return problems.push("no field " + p);
            el.value = v;
            if (el.value !== v) problems.push(`${p} would not take ${v}`);
            el.dispatchEvent(new Event("input", { bubbles: true }));
          }
        }
        for (const [k, v] of Object.entries(values)) set("/" + k, v);
        return problems;
      }, doc.values);
      if (problems.length) throw new Error(`${doc.file}: ${problems.join("; ")}`);
      await page.click("#save");
      await page.waitForFunction(
        () => /^Saved at|^Not saved|^Not /.test(document.getElementById("save-state").textContent),
      );
      const state = await page.$eval("#save-state", (el) => el.textContent);
      result.steps.push({ step: "save " + doc.file, state });
      if (!state.startsWith("Saved at")) throw new Error(`${doc.file}: ${state}`);
      await check(page, doc.file.replace(/\.yaml$/, ""));
    }

    // The case, done; at 200% zoom (640 CSS pixels wide) nothing needs sideways scrolling.
    await page.goto(caseUrl, { waitUntil: "load" });
    result.verdict = await page.$eval("#verdict", (el) => el.textContent);
    await check(page, "case-done");
    await page.setViewport({ width: 640, height: 400, deviceScaleFactor: 2 });
    result.sideways = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    await check(page, "case-done-zoom-200");
    await page.setViewport({ width: 1280, height: 800 });

    // Render the pack and open it.
    await Promise.all([page.waitForNavigation(), page.click("form.inline button[type=submit]")]);
    result.rendered = await page.$eval(".notice", (el) => el.textContent);
    await check(page, "case-pack");
    result.pack = await page.evaluate(async () => {
      const a = document.querySelector("a[href$='/pack.pdf']");
      const r = await fetch(a.href, { credentials: "same-origin" });
      const bytes = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get("content-type"), start: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length };
    });
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ ...result, failed: String(e && e.stack ? e.stack : e) }));
  process.exit(1);
});
