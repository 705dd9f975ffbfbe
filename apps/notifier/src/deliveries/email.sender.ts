import { createTransport, type Transporter } from 'nodemailer';

import type { WebhookAttemptResult } from './webhook.sender';

/** E-mail over SMTP; the delivery id is the Message-ID, so a repeat can be recognised. */
export class EmailSender {
  private readonly transport: Transporter | undefined;

  constructor(
    smtpUrl: string | undefined,
    private readonly from: string,
    timeoutMs: number,
  ) {
    this.transport = smtpUrl
      ? createTransport({ url: smtpUrl, pool: true, maxConnections: 5, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs })
      : undefined;
  }

  async send(deliveryId: string, to: string, mail: { subject: string; text: string; html: string }): Promise<WebhookAttemptResult> {
    if (!this.transport) return { ok: false, error: 'no SMTP server configured (NOTIFIER_SMTP_URL)', permanent: true };
    try {
      await this.transport.sendMail({
        from: this.from,
        to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${deliveryId}@promise-watch>`,
        headers: { 'X-Promise-Watch-Delivery': deliveryId },
      });
      return { ok: true };
    } catch (error) {
      const responseCode = (error as { responseCode?: number }).responseCode;
      // 5xx is a permanent refusal (unknown mailbox): retrying would not help.
      return { ok: false, error: (error as Error).message, permanent: responseCode !== undefined && responseCode >= 500 };
    }
  }

  close(): void {
    this.transport?.close();
  }
}
