// Camera, microphone and speaker choice: used before joining and in the call's settings.
import { useI18n } from '../i18n';
import { canChooseSpeaker, type LocalMedia } from './local_media';

interface Props {
  media: LocalMedia;
  idPrefix: string;  // "prejoin" or "settings": ids stay unique and stable
  onCamera(deviceId: string): void;
  onMicrophone(deviceId: string): void;
  onSpeaker(deviceId: string): void;
}

function DeviceList({ id, label, devices, value, fallbackName, onChange }: {
  id: string; label: string; devices: MediaDeviceInfo[]; value: string; fallbackName: string;
  onChange(deviceId: string): void;
}) {
  const { t } = useI18n();
  // Before permission is granted, browsers list devices without ids or names.
  const usable = devices.filter((d) => d.deviceId !== '');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} disabled={usable.length === 0}
              onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        {usable.length === 0 && <option value="">{t.noDevice}</option>}
        {usable.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || t.unnamedDevice(fallbackName, i + 1)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function DeviceSelects({ media, idPrefix, onCamera, onMicrophone, onSpeaker }: Props) {
  const { t } = useI18n();
  const { cameras, microphones, speakers } = media.devices;
  return (
    <div class="device-selects">
      <DeviceList id={`${idPrefix}-camera-select`} label={t.cameraLabel} devices={cameras}
                  value={media.cameraDeviceId} fallbackName={t.cameraLabel} onChange={onCamera} />
      <DeviceList id={`${idPrefix}-microphone-select`} label={t.microphoneLabel}
                  devices={microphones} value={media.microphoneDeviceId}
                  fallbackName={t.microphoneLabel} onChange={onMicrophone} />
      {canChooseSpeaker() && speakers.length > 0 ? (
        <DeviceList id={`${idPrefix}-speaker-select`} label={t.speakerLabel} devices={speakers}
                    value={media.speakerDeviceId || 'default'} fallbackName={t.speakerLabel}
                    onChange={onSpeaker} />
      ) : (
        <p class="hint">{t.speakerUnsupported}</p>
      )}
    </div>
  );
}
