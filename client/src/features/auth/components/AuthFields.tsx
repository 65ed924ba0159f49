import { PasswordInput, TextInput } from '@mantine/core';

interface FieldProps {
  value: string;
  onChange: (value: string) => void;
  /** The API's message for this field, shown under it. */
  error?: string | undefined;
  /** Tells password managers which value this is (`username`, `new-password`, ...). */
  autoComplete: string;
}

/** The required email field of the account forms. */
export function EmailField({ onChange, ...props }: FieldProps) {
  return (
    <TextInput
      label="Email"
      type="email"
      required
      {...props}
      onChange={(event) => {
        onChange(event.currentTarget.value);
      }}
    />
  );
}

/** A required password field of the account forms. */
export function PasswordField({
  label = 'Password',
  description,
  onChange,
  ...props
}: FieldProps & { label?: string; description?: string }) {
  return (
    <PasswordInput
      label={label}
      description={description}
      required
      {...props}
      onChange={(event) => {
        onChange(event.currentTarget.value);
      }}
    />
  );
}
