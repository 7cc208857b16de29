// Hermes 0.12 scopes `const`/`let` per function, not per block: lower them to `var` first,
// as React Native's Babel preset did for that Hermes.
module.exports = {plugins: ['@babel/plugin-transform-block-scoping']};
