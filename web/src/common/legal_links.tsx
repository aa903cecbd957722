// Links to the operator's privacy policy and imprint, when the server names them.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { loadServerConfig, type ServerConfig } from './config';

export function LegalLinks() {
  const { t } = useI18n();
  const [config, setConfig] = useState<ServerConfig | null>(null);
  useEffect(() => {
    let live = true;
    void loadServerConfig().then((c) => live && setConfig(c));
    return () => { live = false; };
  }, []);
  if (!config || (!config.privacyUrl && !config.imprintUrl)) return null;
  return (
    <nav class="legal" aria-label={t.legalNav}>
      {config.privacyUrl && (
        <a id="privacy-link" href={config.privacyUrl} rel="noopener noreferrer">{t.privacyLink}</a>
      )}
      {config.imprintUrl && (
        <a id="imprint-link" href={config.imprintUrl} rel="noopener noreferrer">{t.imprintLink}</a>
      )}
    </nav>
  );
}
