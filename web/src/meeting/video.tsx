// A <video> showing one track, with a callback once it has a picture.
import type { VideoHTMLAttributes } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

type VideoProps = Omit<VideoHTMLAttributes<HTMLVideoElement>, 'ref'> & {
  track: MediaStreamTrack | null;
  onPicture?(hasPicture: boolean): void;
};

export function TrackVideo({ track, onPicture, ...rest }: VideoProps) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return undefined;
    video.srcObject = track ? new MediaStream([track]) : null;
    if (!track) {
      onPicture?.(false);
      return undefined;
    }
    const check = () => onPicture?.(video.videoWidth > 0);
    video.addEventListener('loadeddata', check);
    video.addEventListener('resize', check);
    video.play().catch(() => { /* muted video may autoplay; retried on the next event */ });
    check();
    return () => {
      video.removeEventListener('loadeddata', check);
      video.removeEventListener('resize', check);
    };
  }, [track]);
  return <video ref={ref} muted autoplay playsInline {...rest} />;
}
