import SaveHeart, { type SaveHeartProps } from "../islands/SaveHeart.tsx";
import { HeartForm, type HeartLook } from "./HeartForm.tsx";
import { type Viewer, VISITOR } from "./Viewer.tsx";

/**
 * A kitchen's heart: the SaveHeart island for a signed-in user, the plain
 * form for a visitor, whose click goes through logging in anyway; so a
 * visitor's search page ships no JavaScript until the map is opened.
 */
export function Heart(props: SaveHeartProps) {
  if (props.signedIn) return <SaveHeart {...props} />;
  const { signedIn: _, ...form } = props;
  return <HeartForm {...form} />;
}

/** What a viewer's heart for `kitchenId` shows: whether it is saved, and by someone signed in. */
function heartState(kitchenId: string, viewer: Viewer | null) {
  const { user, saved } = viewer ?? VISITOR;
  return { saved: saved?.has(kitchenId) ?? false, signedIn: user !== null };
}

/** A kitchen's heart as the viewer has it: a viewer slot (lib/islands/slots.ts). */
export function ViewerHeart(
  { kitchenId, title, back, look, viewer }: {
    kitchenId: string;
    title: string;
    back: string;
    look: HeartLook;
    viewer: Viewer | null;
  },
) {
  return (
    <Heart
      kitchenId={kitchenId}
      title={title}
      look={look}
      back={back}
      {...heartState(kitchenId, viewer)}
    />
  );
}

// Kept per page by exactly what the heart shows of the viewer.
ViewerHeart.viewerKey = (
  { kitchenId }: { kitchenId: string },
  viewer: Viewer | null,
): string => {
  const { saved, signedIn } = heartState(kitchenId, viewer);
  return `${signedIn ? "user" : "visitor"} ${saved}`;
};
