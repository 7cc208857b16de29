// semver (CommonJS, bundled by esbuild): TypeErrors from the SemVer and Range constructors,
// reached through the library's helper functions and user callbacks.
import semver from 'semver';
import { runCases } from './harness.js';

function parseRelease(tag) {
  const version = new semver.SemVer(tag.replace(/^release-/, ''));
  return version.major;
}

const newest = (versions) => versions.slice().sort((a, b) => semver.rcompare(a, b))[0];

class DependencyResolver {
  constructor(constraints) {
    this.constraints = constraints;
  }

  resolve(name, available) {
    const range = new semver.Range(this.constraints[name]);
    return available.filter((version) => range.test(version));
  }
}

async function bumpAll(versions, kind) {
  const out = [];
  for (const version of versions) {
    await Promise.resolve();
    out.push(new semver.SemVer(version).inc(kind).version);
  }
  return out;
}

function compareBuilds(a, b) {
  return semver.compareBuild(a, b);
}

runCases('semver', [
  ['bad-version', () => parseRelease('release-one.two')],
  ['sort-compare', () => newest(['1.2.3', '1.10.0', 'latest'])],
  ['bad-range', () => new DependencyResolver({ left: '>=1.2.3 <<2' }).resolve('left', ['1.2.4'])],
  ['bad-increment', () => bumpAll(['1.0.0', '2.0.0'], 'bogus')],
  ['compare-build', () => compareBuilds('1.0.0+build.1', { version: 'x' })],
]);
