import type { ReactNode } from 'react';
import { Card } from '@openedx/paragon';

/** The centred card the sign-in pages share. */
export function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="larch-auth container-xl">
      <Card className="larch-auth-card">
        <Card.Section>
          <h1 className="h2 mb-4">{title}</h1>
          {children}
        </Card.Section>
        {footer && <Card.Footer className="larch-auth-footer">{footer}</Card.Footer>}
      </Card>
    </div>
  );
}
