import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { ApiForm } from "./ApiForm";
import { DataTable } from "./DataTable";
import { EmailField, NewPasswordFields } from "./fields";
import { useApiForm } from "./useApiForm";

describe("DataTable", () => {
  const columns = [
    { header: "Name", cell: (r: { name: string; n: number }) => r.name },
    { header: "Count", cell: (r: { name: string; n: number }) => String(r.n) },
  ] as const;

  it("heads each row with its first column", () => {
    render(<DataTable caption="Things" columns={columns} rows={[{ name: "a", n: 1 }]} rowKey={(r) => r.name} />);
    const table = screen.getByRole("table", { name: "Things" });
    expect(within(table).getAllByRole("columnheader").map((c) => c.textContent)).toEqual(["Name", "Count"]);
    expect(within(table).getByRole("rowheader").textContent).toBe("a");
    expect(within(table).getAllByRole("cell").map((c) => c.textContent)).toEqual(["1"]);
  });

  it("says `empty` instead of an empty table, or draws nothing", () => {
    const { container, rerender } = render(
      <DataTable caption="Things" columns={columns} rows={[]} rowKey={(r) => r.name} empty="None yet." />,
    );
    expect(screen.getByText("None yet.")).toBeTruthy();
    rerender(<DataTable caption="Things" columns={columns} rows={[]} rowKey={(r) => r.name} />);
    expect(container.innerHTML).toBe("");
  });
});

/** A form over `submit` with an email, a new password and its confirmation. */
function TestForm({ submit, clearOnSuccess = false }: { submit: () => Promise<string>; clearOnSuccess?: boolean }) {
  const form = useApiForm({
    initial: { email: "", password: "", confirm: "" },
    check: ({ email }) => ({ email: email ? undefined : "Enter an email." }),
    submit,
    resetOnEdit: true,
    clearOnSuccess,
  });
  return (
    <ApiForm form={form} submitLabel="Send" pendingLabel="Sending…" success={`Done: ${form.mutation.data}`}>
      <EmailField {...form.field("email")} />
      <NewPasswordFields password={form.field("password")} confirm={form.field("confirm", { api: false })} />
    </ApiForm>
  );
}

function renderForm(props: Parameters<typeof TestForm>[0]) {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <TestForm {...props} />
    </QueryClientProvider>,
  );
}

const fill = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe("useApiForm + ApiForm", () => {
  it("does not call while a check fails, and says why under the input", async () => {
    const submit = vi.fn(() => Promise.resolve("ok"));
    renderForm({ submit });
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Enter an email.")).toBeTruthy();
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
    expect(submit).not.toHaveBeenCalled();
  });

  it("shows the API's field messages under their inputs and lists only the others in the alert", async () => {
    const error = new ApiError(400, "VALIDATION_ERROR", "Check the form", {
      fields: [
        { field: "password", message: "is too common" },
        { field: "confirm", message: "not a field of the request" },
        { field: "token", message: "is missing" },
      ],
    });
    renderForm({ submit: () => Promise.reject(error) });
    fill("Email", "ada@example.com");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));

    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText("Check the form")).toBeTruthy();
    expect(within(alert).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["token: is missing"]);
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("is too common")).toBeTruthy();
    // the confirmation is not sent: the API's messages never land under it
    expect(screen.getByLabelText("Confirm password").getAttribute("aria-invalid")).toBeNull();
  });

  it("shows the notice on success, forgets it on the next edit, and can empty the inputs", async () => {
    renderForm({ submit: () => Promise.resolve("sent"), clearOnSuccess: true });
    fill("Email", "ada@example.com");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect((await screen.findByRole("status")).textContent).toBe("Done: sent");
    expect((screen.getByLabelText("Email") as HTMLInputElement).value).toBe("");
    fill("Email", "b@example.com");
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("turns anything the call throws into an ApiError", async () => {
    renderForm({ submit: () => Promise.reject(new TypeError("Failed to fetch")) });
    fill("Email", "ada@example.com");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(within(await screen.findByRole("alert")).getByText("No connection")).toBeTruthy();
  });
});
