// Validates CycloneDX JSON files with @cyclonedx/cyclonedx-library's strict JSON validator (the
// schema of each file's specVersion, additional properties forbidden). One process for many files.
// usage: node validate_cyclonedx.js TOOLS_NODE_MODULES FILE...   Exit 1 when any file is invalid.
'use strict';
const fs = require('fs');
const path = require('path');
const CDX = require(path.resolve(process.argv[2], '@cyclonedx/cyclonedx-library'));

async function main() {
  let failed = false;
  for (const file of process.argv.slice(3)) {
    const text = fs.readFileSync(file, 'utf8');
    const version = JSON.parse(text).specVersion;
    const validator = new CDX.Validation.JsonStrictValidator(version);
    const error = await validator.validate(text);
    if (error !== null) {
      failed = true;
      console.log(`${file}: INVALID ${JSON.stringify(error.details ?? error.message).slice(0, 2000)}`);
    } else {
      console.log(`${file}: valid ${version}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
main().catch((e) => { console.log(`error: ${e.stack}`); process.exit(2); });
