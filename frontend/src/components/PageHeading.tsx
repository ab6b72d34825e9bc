import { useEffect, useRef } from "react";

const APP_NAME = "eCommerce AI Platform";

/** The page's h1: names the tab and takes the focus after a navigation, so screen readers
 * announce the new page (a client-side route change is silent otherwise). */
export function PageHeading({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · ${APP_NAME}`;
    ref.current?.focus({ preventScroll: true });
  }, [children]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
