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
  const { user, saved } = viewer ?? VISITOR;
  return (
    <Heart
      kitchenId={kitchenId}
      title={title}
      look={look}
      back={back}
      saved={saved?.has(kitchenId) ?? false}
      signedIn={user !== null}
    />
  );
}

// Kept per page: who is signed in, and whether they saved this kitchen.
ViewerHeart.viewerKey = (
  { kitchenId }: { kitchenId: string },
  viewer: Viewer | null,
): string => {
  const { user, saved } = viewer ?? VISITOR;
  return `${user ? "user" : "visitor"} ${saved?.has(kitchenId) ?? false}`;
};
