// Built by `npm run bench` into .data/bench-next-const: gitignored, and outside the reach of the root
// tsconfig and eslint, which would otherwise check the types Next generates for this app.
const config = { distDir: '../../.data/bench-next-const' };
export default config;
