import { forwardRef, useEffect, type ComponentProps } from 'react';
import { RemoveScroll as UpstreamRemoveScroll } from 'react-remove-scroll';

/**
 * Radix dialogs lock page scroll with react-remove-scroll, whose scrollbar compensation injects
 * <style> elements at run time. The API's CSP (style-src 'self', no 'unsafe-inline') blocks
 * them and logs a violation. vite.config.ts points Radix's import here: the same component with
 * the style-injecting parts off (removeScrollBar, inert), and the page scroll locked by a class
 * from our stylesheet instead (html.scroll-locked in styles.css). Wheel and touch containment
 * (event listeners only) stay as upstream.
 */
let openLocks = 0;

type Props = ComponentProps<typeof UpstreamRemoveScroll>;

export const RemoveScroll = forwardRef<HTMLElement, Props>(function CspSafeRemoveScroll(props, ref) {
  const enabled = props.enabled !== false;
  useEffect(() => {
    if (!enabled) return;
    openLocks += 1;
    document.documentElement.classList.add('scroll-locked');
    return () => {
      openLocks -= 1;
      if (openLocks === 0) document.documentElement.classList.remove('scroll-locked');
    };
  }, [enabled]);
  return <UpstreamRemoveScroll {...props} ref={ref} removeScrollBar={false} inert={false} />;
});
