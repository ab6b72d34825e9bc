import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { createApi } from "./api/client";
import { createQueryClient } from "./api/queryClient";
import { AppProviders, AppRoutes } from "./App";
import { loadConfig } from "./config";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);

loadConfig().then(
  (config) => {
    const api = createApi({ baseUrl: config.apiUrl });
    root.render(
      <StrictMode>
        <BrowserRouter>
          <AppProviders api={api} queryClient={createQueryClient()}>
            <AppRoutes />
          </AppProviders>
        </BrowserRouter>
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(
      <main className="auth-page" id="main">
        <h1>The app is not configured</h1>
        <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    );
  },
);
