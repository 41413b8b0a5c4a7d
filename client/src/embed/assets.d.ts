// Vite answers `?url` imports with the emitted asset's path (vite/client declares the same; the project's
// tsconfig loads only Node's types).
declare module '*?url' {
  const src: string;
  export default src;
}

// `?inline` imports are answered with the file's text (a stylesheet to adopt into a shadow root).
declare module '*?inline' {
  const text: string;
  export default text;
}
