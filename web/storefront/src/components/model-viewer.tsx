import { createElement, useEffect, useRef, useState } from 'react';
import type { Media } from '../api.js';
import { useT } from '../i18n.js';

/**
 * <model-viewer> for 3D and AR. Its script (three.js inside) is a separate chunk fetched only when
 * the viewer scrolls into view, so it never weighs on the product page's first load.
 */
export function ModelViewer({
  model,
  iosModel,
  poster,
  alt,
}: {
  model: Media;
  iosModel?: Media;
  poster?: string;
  alt: string;
}) {
  const t = useT();
  const host = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      import('@google/model-viewer').then(
        () => setReady(true),
        () => setFailed(true),
      );
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={host} className="model" data-testid="model-viewer">
      {failed && <p role="alert">{t('product.modelFailed')}</p>}
      {ready &&
        createElement('model-viewer', {
          src: model.url,
          'ios-src': iosModel?.url,
          poster,
          alt,
          ar: true,
          'camera-controls': true,
          'touch-action': 'pan-y',
          style: { width: '100%', height: '360px' },
        })}
      {!ready && !failed && <p className="model__loading">{t('product.model3d')}</p>}
    </div>
  );
}
