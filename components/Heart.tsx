import SaveHeart, { type SaveHeartProps } from "../islands/SaveHeart.tsx";
import { HeartForm } from "./HeartForm.tsx";

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
