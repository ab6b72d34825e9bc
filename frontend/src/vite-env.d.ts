/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** the API stage's invoke URL (written to .env.production by the pipeline) */
  readonly VITE_API_URL?: string;
  /** the stage (dev, prod) */
  readonly VITE_STAGE?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
